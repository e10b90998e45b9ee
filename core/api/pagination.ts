import type { Request, Response } from 'express';
import { invalidQuery, queryString } from './query.js';

/** `page` (1-based) and `per_page` from the query; bad values are a 400, not a silent default. */
export function pageOf(req: Request, max = 500): { page: number; perPage: number } {
  const read = (name: string, fallback: number, upper: number) => {
    const raw = queryString(req, name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > upper) throw invalidQuery(name, `must be an integer from 1 to ${upper}`);
    return value;
  };
  return { page: read('page', 1, 1_000_000), perPage: read('per_page', 50, max) };
}

/** `X-Total-Count` and an RFC 8288 `Link` header with next/prev/last, as the providers do. */
export function setPageHeaders(req: Request, res: Response, total: number, page: number, perPage: number): void {
  res.setHeader('X-Total-Count', String(total));
  const last = Math.max(1, Math.ceil(total / perPage));
  const link = (p: number, rel: string) => {
    const url = new URL(req.originalUrl, 'http://host');
    url.searchParams.set('page', String(p));
    url.searchParams.set('per_page', String(perPage));
    return `<${url.pathname}${url.search}>; rel="${rel}"`;
  };
  const links = [link(1, 'first'), link(last, 'last')];
  if (page < last) links.push(link(page + 1, 'next'));
  if (page > 1) links.push(link(page - 1, 'prev'));
  res.setHeader('Link', links.join(', '));
}
