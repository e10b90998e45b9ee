/**
 * Pagination as each API family does it.
 *
 * Instance v1: `page` (1-based) and `per_page` (default 50, at most 100). The total travels in the
 * `X-Total-Count` header, next to a `Link` header in the format production sends:
 * `</servers?page=2&per_page=50&name=web>; rel="next",</servers?page=3&per_page=50&name=web>; rel="last"`
 * (paths relative to the zone; `page` and `per_page` first, then the other query parameters as
 * sent; `rel="first"` and `rel="previous"` from page 2 on; `page=0` when the list is empty).
 *
 * Block and Marketplace: `page` and `page_size` (at most 100), `total_count` in the body.
 */
import type { Request, Response } from 'express';
import { replyJson } from './reply.js';
import { BodyReader } from './validation.js';

export interface Page {
  page: number;
  size: number;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

const numeric = (value: unknown) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value);

function readPage(reader: BodyReader, sizeParam: string): Page {
  const page = {
    page: reader.integer('page', { min: 1 }) ?? 1,
    size: reader.integer(sizeParam, { min: 1, max: MAX_PAGE_SIZE }) ?? DEFAULT_PAGE_SIZE,
  };
  reader.finish();
  return page;
}

/** `page` and `per_page` of an Instance list; out-of-range values are a legacy 400. */
export function instancePage(req: Request): Page {
  return readPage(BodyReader.instance({ page: numeric(req.query.page), per_page: numeric(req.query.per_page) }), 'per_page');
}

/** `page` and `page_size` of a Block or Marketplace list; out-of-range values are `invalid_arguments`. */
export function standardPage(req: Request): Page {
  return readPage(BodyReader.standard({ page: numeric(req.query.page), page_size: numeric(req.query.page_size) }), 'page_size');
}

export function itemsOf<T>(items: readonly T[], page: Page): T[] {
  return items.slice((page.page - 1) * page.size, page.page * page.size);
}

/** Answers one page of an Instance list `{[key]: [...]}`, with `X-Total-Count` and `Link`. */
export function replyInstanceList<T>(req: Request, res: Response, key: string, items: readonly T[], view: (item: T) => unknown = (item) => item): void {
  const page = instancePage(req);
  setListHeaders(req, res, items.length, page);
  replyJson(res, 200, { [key]: itemsOf(items, page).map(view) });
}

/** Sets `X-Total-Count` and `Link` on an Instance list answer. */
export function setListHeaders(req: Request, res: Response, total: number, page: Page): void {
  res.setHeader('X-Total-Count', String(total));
  res.setHeader('Link', linkHeader(req, total, page));
}

function isPageParam(pair: string): boolean {
  const name = pair.split('=')[0];
  return name === 'page' || name === 'per_page';
}

function linkHeader(req: Request, total: number, page: Page): string {
  const path = `${req.baseUrl}${req.path}`.replace(/^\/instance\/v1\/zones\/[^/]+/, '');
  const others = (req.originalUrl.split('?')[1] ?? '').split('&').filter((pair) => pair && !isPageParam(pair)).join('&');
  const link = (n: number, rel: string) => `<${path}?page=${n}&per_page=${page.size}&${others}>; rel="${rel}"`;
  const last = Math.ceil(total / page.size);
  const links: string[] = [];
  if (page.page > 1) links.push(link(1, 'first'), link(page.page - 1, 'previous'));
  if (page.page < last) links.push(link(page.page + 1, 'next'));
  links.push(link(last, 'last'));
  return links.join(',');
}
