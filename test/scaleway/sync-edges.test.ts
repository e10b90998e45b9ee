import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/runtime.js';
import { scalewayWorld, type ScalewayWorld } from '../support/scaleway.js';
import { dryRun } from './support.js';

const admin = { kind: 'cli', id: 'test', name: 'test', role: 'admin' } as const;

/** Syncs when the account changes while it is read, when a list fails, and as dry runs. */
describe.each(DIALECTS)('Scaleway sync edges on %s', (dialect) => {
  let world: ScalewayWorld;
  afterEach(() => world.close());

  const count = async (entity: string) => Number((await world.api.call('viewer', 'GET', `/api/v1/entities/${entity}?per_page=1`)).headers.get('x-total-count'));

  it('records once a server listed on two pages, created while the pages were read', async () => {
    world = await scalewayWorld(dialect);
    world.scw.seed({ zone: 'fr-par-1', servers: 150, namePrefix: 'dev-app', volumesPerServer: 1 });
    // The first page is answered; a server is created before the next ones are.
    const { journal } = world.scw;
    const record = journal.record.bind(journal);
    let lists = 0;
    journal.record = (method, path) => {
      if (method === 'GET' && path === '/instance/v1/zones/fr-par-1/servers' && ++lists === 2) world.scw.seed({ zone: 'fr-par-1', servers: 1, namePrefix: 'dev-late' });
      record(method, path);
    };
    const job = await world.run('ScalewayServer', null, 'syncServers', { namePrefix: '' });
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const recorded = await world.list('ScalewayServer');
    expect(new Set(recorded.map((server) => server.providerSideId)).size).toBe(recorded.length);
    expect(job.value).toEqual({ listed: recorded.length, added: recorded.length, gone: 0 });
  });

  it('fails a sync only once every list and write under way has ended, and writes nothing after', async () => {
    world = await scalewayWorld(dialect, { zones: ['fr-par-1', 'nl-ams-1'] });
    world.scw.seed({ zone: 'fr-par-1', servers: 300, namePrefix: 'dev-app', volumesPerServer: 1 });
    world.scw.seed({ zone: 'nl-ams-1', servers: 5, namePrefix: 'dev-db' });
    world.scw.faults.set({ latencyMs: 30, serverErrors: { method: 'GET', path: '/block/v1/zones/nl-ams-1/volumes', count: 1, status: 400 } });
    const job = await world.run('ScalewayServer', null, 'syncServers', { namePrefix: '' });
    expect(job.status).toBe('failed');
    const atTheEnd = { servers: await count('ScalewayServer'), volumes: await count('ServerVolume') };
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect({ servers: await count('ScalewayServer'), volumes: await count('ServerVolume') }).toEqual(atTheEnd);
  });

  it('reports progress that only goes forward while zones finish in any order', async () => {
    world = await scalewayWorld(dialect, { zones: ['fr-par-1', 'nl-ams-1'] });
    world.scw.seed({ zone: 'fr-par-1', servers: 400, namePrefix: 'dev-app' });
    world.scw.seed({ zone: 'nl-ams-1', servers: 1, namePrefix: 'dev-db' });
    world.scw.faults.set({ latencyMs: 20 });
    const job = await world.run('ScalewayServer', null, 'syncServers', { namePrefix: '' });
    expect(job.status).toBe('succeeded');
    const percents = job.steps.map((step: { percent: number }) => step.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
  });

  it('answers a dry run of every sync with what it would read, reading and writing nothing', async () => {
    world = await scalewayWorld(dialect);
    world.scw.seed({ zone: 'fr-par-1', servers: 3, namePrefix: 'dev-app', volumesPerServer: 1, withIp: true });
    const mark = world.scw.journal.mark();
    const syncs: [string, string, string | null][] = [
      ['ScalewayServer', 'syncServers', null],
      ['ServerVolume', 'listVolumes', null],
      ['ServerImage', 'listImages', null],
      ['SecurityGroup', 'listSecurityGroups', null],
      ['Bootscript', 'listBootscripts', null],
      ['ServiceProvider', 'populateProviderFields', world.providerId],
    ];
    for (const [entity, action, id] of syncs) {
      const job = await dryRun(world, entity, id, action);
      expect(job.value.reads.length, action).toBeGreaterThan(0);
      expect(job.message, action).toMatch(/would read GET \/.*nothing was read and nothing was changed\.$/);
    }
    expect(world.scw.journal.since(mark)).toEqual([]);
    for (const entity of ['ScalewayServer', 'ServerVolume', 'PublicIp', 'ServerImage', 'ServerType']) expect(await count(entity), entity).toBe(0);
  });

  it('lets syncs of two accounts run side by side, and not two of the same account', async () => {
    world = await scalewayWorld(dialect);
    const other = await world.create('ServiceProvider', {
      name: 'Scaleway other',
      code: 'SCALEWAY',
      apiBaseUrl: world.scw.url,
      credentialId: world.credentialId,
      allowedApiHosts: ['127.0.0.1'],
      zones: ['nl-ams-1'],
      importNamePrefix: '',
    });
    await world.runtime.worker!.stop();
    try {
      const invoke = (serviceProviderId: string) => world.runtime.runner.invoke({ entity: 'ScalewayServer', action: 'syncServers', params: { serviceProviderId }, actor: admin });
      const [first] = await invoke(world.providerId);
      const [second] = await invoke(other.id);
      expect(second.id).not.toBe(first.id);
      await expect(invoke(world.providerId)).rejects.toThrow(/syncServers is already queued/);
    } finally {
      world.runtime.worker!.start();
    }
  });
});
