import { MvError, type ProviderHttp, type ProviderResponse } from 'mv-infra/core';

/** The largest page Scaleway's APIs serve. */
export const MAX_PER_PAGE = 100;

export interface PagedRequest {
  call: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** How the API names the page size: `per_page` (Instance) or `page_size` (Block, Marketplace). */
  sizeParam?: 'per_page' | 'page_size';
}

/**
 * Every page of a paginated list, handed to `onPage` as each arrives: the first page tells the total
 * (`X-Total-Count`, or `total_count` in the body), then the other pages are fetched at once — the
 * account's request budget decides how many run together. `onPage` runs for one page at a time, so it
 * may write to the database while the next pages are on their way. Once a page or a handler fails, no
 * other page is handed over, and this fails only when the handler running then has ended: nothing is
 * handled after it returns. The count is checked against the total, so a short read never passes for
 * the whole list. Returns the total.
 */
export async function eachPage<T>(http: ProviderHttp, request: PagedRequest, items: (body: any) => T[], onPage: (items: T[]) => void | Promise<void>): Promise<number> {
  const page = (n: number) =>
    http.request({ call: request.call, method: 'GET', path: request.path, query: { ...request.query, page: n, [request.sizeParam ?? 'per_page']: MAX_PER_PAGE } });
  // A page's items are taken out of its answer, which lets go of its body. The answer settles the promise
  // made when the page was asked for, and every page is asked for at once: most wait for the budget long
  // enough to be in V8's old generation by then, and anything an old object refers to survives every
  // young collection until the next full one, even once nothing uses it. A body left in its answer was
  // kept (then moved to the old generation) for every page: about 50 MB in a sync of 10,000 servers.
  const take = (response: ProviderResponse<unknown>): T[] => {
    const pageItems = items(response.data);
    response.data = undefined;
    return pageItems;
  };
  const first = await page(1);
  const firstItems = items(first.data);
  const total = totalOf(first, firstItems.length);
  first.data = undefined;
  let received = firstItems.length;
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => void (failure ??= { error });
  // Pages are handled in turn; after a failure, the ones still to come are dropped.
  let handled: Promise<void> = Promise.resolve();
  const hand = (pageItems: T[]) => {
    handled = handled.then(async () => {
      if (failure) return;
      try {
        await onPage(pageItems);
      } catch (error) {
        fail(error);
      }
    });
  };
  hand(firstItems);
  const pages = Math.max(1, Math.ceil(total / MAX_PER_PAGE));
  await Promise.all(
    Array.from({ length: pages - 1 }, async (_, i) => {
      try {
        const pageItems = take(await page(i + 2));
        received += pageItems.length;
        hand(pageItems);
      } catch (error) {
        fail(error);
      }
    }),
  );
  await handled;
  if (failure) throw failure.error;
  if (received < total) {
    throw new MvError('provider_error', `Scaleway ${request.call}: the API announced ${total} items but ${received} came back; refusing to act on a partial list`);
  }
  return total;
}

/** Every item of a paginated list, once all pages are in. */
export async function listAll<T>(http: ProviderHttp, request: PagedRequest, items: (body: any) => T[]): Promise<T[]> {
  const all: T[] = [];
  await eachPage(http, request, items, (page) => void all.push(...page));
  return all;
}

function totalOf(response: ProviderResponse<any>, fallback: number): number {
  const header = Number(response.headers['x-total-count']);
  if (Number.isInteger(header) && header >= 0) return header;
  const body = Number(response.data?.total_count);
  return Number.isInteger(body) && body >= 0 ? body : fallback;
}
