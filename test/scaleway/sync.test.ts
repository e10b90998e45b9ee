import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/runtime.js';
import { scalewayWorld, type ScalewayWorld } from '../support/scaleway.js';

describe.each(DIALECTS)('Scaleway sync on %s', (dialect) => {
  let world: ScalewayWorld;
  beforeAll(async () => {
    world = await scalewayWorld(dialect, { zones: ['fr-par-1', 'nl-ams-1'] });
  });
  afterAll(() => world.close());

  const seed = (body: Record<string, unknown>) =>
    fetch(`${world.scw.url}/__sandbox/seed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());

  it('imports a few hundred servers across pages and zones, with their volumes and IPs, as observed', async () => {
    await seed({ zone: 'fr-par-1', servers: 260, namePrefix: 'dev-app', volumesPerServer: 1, withIp: true });
    await seed({ zone: 'nl-ams-1', servers: 90, namePrefix: 'dev-db', volumesPerServer: 1, withIp: true });
    const job = await world.run('ScalewayServer', null, 'syncServers', { namePrefix: '' });
    expect(job).toMatchObject({ status: 'succeeded', value: { listed: 350, added: 350, gone: 0 } });
    const page = await world.api.call('viewer', 'GET', '/api/v1/entities/ScalewayServer?per_page=1&zone=fr-par-1');
    expect(page.headers.get('x-total-count')).toBe('260');
    const [server] = page.body.items;
    expect(server).toMatchObject({ ownership: 'observed', state: expect.any(String) });
    expect((await world.list('ServerVolume', `&serverId=${server.id}`)).length).toBeGreaterThanOrEqual(1);
    expect(await world.list('PublicIp', `&serverId=${server.id}`)).toHaveLength(1);
    // Again: nothing new, nothing duplicated.
    const again = await world.run('ScalewayServer', null, 'syncServers', { namePrefix: '' });
    expect(again.value).toEqual({ listed: 350, added: 0, gone: 0 });
    expect((await world.api.call('viewer', 'GET', '/api/v1/entities/ScalewayServer?per_page=1')).headers.get('x-total-count')).toBe('350');
  });

  it('takes only the names with the import prefix, and notices servers that are gone', async () => {
    await seed({ zone: 'fr-par-1', servers: 3, namePrefix: 'prod-web', volumesPerServer: 1, withIp: false });
    const before = (await world.api.call('viewer', 'GET', '/api/v1/entities/ScalewayServer?per_page=1')).headers.get('x-total-count');
    const job = await world.run('ScalewayServer', null, 'syncServers', { namePrefix: 'dev-db' });
    expect(job.message).toBe('Synced 90 servers of Scaleway test in fr-par-1, nl-ams-1 (0 new); only names starting with "dev-db"');
    expect((await world.api.call('viewer', 'GET', '/api/v1/entities/ScalewayServer?per_page=1')).headers.get('x-total-count')).toBe(before);
    expect(await world.list('ScalewayServer', '&name=prod-web-1')).toEqual([]);

    const [victim] = [...world.scw.state.servers.values()].filter((s) => s.name.startsWith('dev-db'));
    world.scw.state.servers.delete(victim.id);
    const resync = await world.run('ScalewayServer', null, 'syncServers', { namePrefix: 'dev-db' });
    expect(resync.value).toMatchObject({ listed: 89, gone: 1 });
    // An observed record whose server vanished is removed; ours would be kept and marked deleted.
    expect(await world.list('ScalewayServer', `&providerSideId=${victim.id}`)).toEqual([]);
  });
});
