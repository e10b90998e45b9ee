import { MvError, type ProviderHttp, type ProviderResponse } from 'mv-infra/core';

/** The largest page the Instance API serves. */
export const MAX_PER_PAGE = 100;

/**
 * Every item of a paginated Instance list: the first page tells the total (`X-Total-Count`), then the
 * other pages are fetched at once — the account's request budget decides how many run together.
 * The count is checked against the total, so a short read never passes for the whole list.
 */
export async function listAll<T>(
  http: ProviderHttp,
  request: { call: string; path: string; query?: Record<string, string | number | boolean | undefined> },
  items: (body: any) => T[],
): Promise<T[]> {
  const page = (n: number) =>
    http.request({ call: request.call, method: 'GET', path: request.path, query: { ...request.query, page: n, per_page: MAX_PER_PAGE } });
  const first = await page(1);
  const total = totalOf(first, items(first.data).length);
  const pages = Math.max(1, Math.ceil(total / MAX_PER_PAGE));
  const rest = await Promise.all(Array.from({ length: pages - 1 }, (_, i) => page(i + 2)));
  const all = [first, ...rest].flatMap((response) => items(response.data));
  if (all.length < total) {
    throw new MvError('provider_error', `Scaleway ${request.call}: the API announced ${total} items but ${all.length} came back; refusing to act on a partial list`);
  }
  return all;
}

function totalOf(response: ProviderResponse<any>, fallback: number): number {
  const header = Number(response.headers['x-total-count']);
  if (Number.isInteger(header) && header >= 0) return header;
  const body = Number(response.data?.total_count);
  return Number.isInteger(body) && body >= 0 ? body : fallback;
}
