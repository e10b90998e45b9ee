import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderHttp } from '../../core/index.js';
import { upsertResources } from '../../actions/shared/upsert-resources.js';
import { ServerVolume } from '../../entities/server-volume.js';
import { eachPage } from '../../providers/scaleway/pagination.js';
import { DIALECTS } from '../support/runtime.js';
import { scalewayWorld, type ScalewayWorld } from '../support/scaleway.js';

describe.each(DIALECTS)('Bulk writes of provider resources on %s', (dialect) => {
  let world: ScalewayWorld;
  beforeAll(async () => {
    world = await scalewayWorld(dialect);
  });
  afterAll(() => world.close());

  const upsert = (rows: (Partial<ServerVolume> & { providerSideId: string; zone: string })[], update: (keyof ServerVolume & string)[]) =>
    world.runtime.data.transaction((manager) => upsertResources(manager, ServerVolume, world.providerId, rows, { ownershipOfNew: 'observed', update }));
  const volume = (providerSideId: string) => world.runtime.data.getRepository(ServerVolume).findOneByOrFail({ serviceProviderId: world.providerId, zone: 'fr-par-1', providerSideId });

  it('writes a resource given twice in one write once, as given last, and counts it new once', async () => {
    const written = await upsert(
      [
        { providerSideId: 'vol-twice', zone: 'fr-par-1', name: 'first' },
        { providerSideId: 'vol-once', zone: 'fr-par-1', name: 'other' },
        { providerSideId: 'vol-twice', zone: 'fr-par-1', name: 'last' },
      ],
      ['name'],
    );
    expect(written.size).toBe(2);
    expect(written.added).toBe(2);
    expect(await volume('vol-twice')).toMatchObject({ name: 'last', ownership: 'observed' });
    const again = await upsert([{ providerSideId: 'vol-twice', zone: 'fr-par-1', name: 'again' }, { providerSideId: 'vol-twice', zone: 'fr-par-1', name: 'again' }], ['name']);
    expect(again.added).toBe(0);
    expect(again.get('fr-par-1|vol-twice')).toBe(written.get('fr-par-1|vol-twice'));
  });

  it('leaves alone the columns a row does not set, even when they may be updated', async () => {
    await upsert([{ providerSideId: 'vol-kept', zone: 'fr-par-1', name: 'kept', baseSnapshot: 'snap-1', iops: 5000 }], ['name']);
    // A listing that knows neither the snapshot nor the IOPS of the volume (say the Instance API's view of it).
    await upsert([{ providerSideId: 'vol-kept', zone: 'fr-par-1', name: 'renamed' }], ['name', 'baseSnapshot', 'iops']);
    expect(await volume('vol-kept')).toMatchObject({ name: 'renamed', baseSnapshot: 'snap-1', iops: 5000 });
    // Rows of one write that set different columns: each keeps what it does not set.
    await upsert([{ providerSideId: 'vol-kept', zone: 'fr-par-1', name: 'mixed' }, { providerSideId: 'vol-new', zone: 'fr-par-1', name: 'new', iops: 15000 }], ['name', 'iops']);
    expect(await volume('vol-kept')).toMatchObject({ name: 'mixed', iops: 5000 });
    expect(await volume('vol-new')).toMatchObject({ iops: 15000, kind: 'volume' });
  });
});

describe('Paged listings', () => {
  /** A provider client answering each page after `delays[page]` ms; `fails` pages fail. */
  function pages(total: number, delays: Record<number, number>, fails: number[] = []): ProviderHttp {
    return {
      request: async ({ query }: { query: { page: number } }) => {
        await new Promise((resolve) => setTimeout(resolve, delays[query.page] ?? 0));
        if (fails.includes(query.page)) throw new Error(`page ${query.page} failed`);
        const items = Array.from({ length: Math.min(100, total - (query.page - 1) * 100) }, (_, i) => (query.page - 1) * 100 + i);
        return { status: 200, data: { items }, headers: { 'x-total-count': String(total) } };
      },
    } as unknown as ProviderHttp;
  }

  it('hands no page over once a page failed, and ends only when the page being handled has', async () => {
    const calls: { first: number; afterTheEnd: boolean }[] = [];
    let handling = false;
    let ended = false;
    const listing = eachPage(pages(400, { 2: 60, 3: 10, 4: 120 }, [3]), { call: 'list', path: '/items' }, (body: { items: number[] }) => body.items, async (items) => {
      calls.push({ first: items[0], afterTheEnd: ended });
      handling = true;
      await new Promise((resolve) => setTimeout(resolve, 30));
      handling = false;
    });
    await expect(listing).rejects.toThrow('page 3 failed');
    ended = true;
    expect(handling).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(calls).toEqual([{ first: 0, afterTheEnd: false }]);
  });

  it('fails with the handler’s failure, handing over no later page', async () => {
    const handled: number[] = [];
    const listing = eachPage(pages(300, { 2: 10, 3: 80 }), { call: 'list', path: '/items' }, (body: { items: number[] }) => body.items, async (items) => {
      handled.push(items[0]);
      if (items[0] === 100) throw new Error('cannot write');
    });
    await expect(listing).rejects.toThrow('cannot write');
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(handled).toEqual([0, 100]);
  });
});
