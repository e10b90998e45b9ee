import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/runtime.js';
import type { ScalewayWorld } from '../support/scaleway.js';
import { dryRun, expectNotApplicable, populatedWorld, refusedBeforeCalling, scalewayDirect } from './support.js';

const ZONE = 'fr-par-1';

describe.each(DIALECTS)('Scaleway public IPs on %s', (dialect) => {
  let world: ScalewayWorld;
  let server: { id: string; name: string; providerSideId: string };
  beforeAll(async () => {
    let ubuntu: { id: string };
    ({ world, ubuntu } = await populatedWorld(dialect, { zones: [ZONE, 'nl-ams-1'] }));
    const record = await world.create('ScalewayServer', { name: 'dev-edge', serverType: 'DEV1-S', zone: ZONE, serviceProviderId: world.providerId, imageId: ubuntu.id, dynamicIpRequired: false });
    expect((await world.run('ScalewayServer', record.id, 'createServer')).status).toBe('succeeded');
    server = await world.get('ScalewayServer', record.id);
  });
  afterAll(() => world.close());

  const remote = (id: string) => world.scw.state.ips.get(id);
  async function reserved(fields: Record<string, unknown> = {}) {
    const ip = await world.create('PublicIp', { zone: ZONE, serviceProviderId: world.providerId, ...fields });
    const job = await world.run('PublicIp', ip.id, 'reserveIp');
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    return world.get('PublicIp', ip.id);
  }

  it('reserves an address tagged with its record', async () => {
    const ip = await reserved({ tags: ['mail'] });
    expect(ip).toMatchObject({ type: 'routed_ipv4', state: 'detached', serverId: null, ownership: 'managed', tags: ['mail'] });
    expect(ip.address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(remote(ip.providerSideId)).toMatchObject({ address: ip.address, tags: ['mail', `mv-record=${ip.id}`], server_id: null });
    const v6 = await reserved({ type: 'routed_ipv6' });
    expect(v6.prefix).toMatch(/::\/64$/);
  });

  it('adopts the address whose reservation answer was lost instead of reserving a second one', async () => {
    const ip = await world.create('PublicIp', { zone: ZONE, serviceProviderId: world.providerId });
    world.scw.faults.set({ dropAfterCommit: { method: 'POST', path: `/instance/v1/zones/${ZONE}/ips`, count: 1 } });
    const job = await world.run('PublicIp', ip.id, 'reserveIp');
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    expect(job.steps.map((s: { message: string }) => s.message)).toContain(`The create answer was lost, but the IP exists (${job.value.id}): adopting it`);
    expect([...world.scw.state.ips.values()].filter((candidate) => candidate.tags.includes(`mv-record=${ip.id}`)).map((c) => c.id)).toEqual([job.value.id]);
  });

  it('attaches an address to a server and detaches it, keeping the server’s record in step', async () => {
    const ip = await reserved();
    const attached = await world.run('PublicIp', ip.id, 'attachIp', { serverId: server.id });
    expect(attached.message).toBe(`Attached ${ip.address} to dev-edge`);
    expect(remote(ip.providerSideId)!.server_id).toBe(server.providerSideId);
    expect(await world.get('PublicIp', ip.id)).toMatchObject({ serverId: server.id, state: 'attached' });
    expect((await world.get('ScalewayServer', server.id)).publicIp).toBe(ip.address);

    const again = await refusedBeforeCalling(world, 'PublicIp', ip.id, 'attachIp', { serverId: server.id });
    expect(again.error).toMatchObject({ message: `${ip.address} is attached to dev-edge already`, details: { field: 'serverId' } });

    const detached = await world.run('PublicIp', ip.id, 'detachIp');
    expect(detached.message).toBe(`Detached ${ip.address} from dev-edge; it stays reserved`);
    expect(remote(ip.providerSideId)!.server_id).toBeNull();
    expect(await world.get('PublicIp', ip.id)).toMatchObject({ serverId: null, state: 'detached' });
    expect((await world.get('ScalewayServer', server.id)).publicIp).toBeNull();
    expectNotApplicable(await refusedBeforeCalling(world, 'PublicIp', ip.id, 'detachIp'), 'it is not attached to a server');
  });

  it('refuses before calling: a server of another zone, an unknown server, an observed server', async () => {
    const ip = await reserved();
    const elsewhere = await world.create('ScalewayServer', { name: 'dev-ams', serverType: 'DEV1-S', zone: 'nl-ams-1', serviceProviderId: world.providerId });
    const cases: [string, string][] = [
      [elsewhere.id, 'No server with this id exists at Scaleway'],
      ['6f1c0a52-0000-4000-8000-000000000000', 'No server with this id exists at Scaleway'],
    ];
    for (const [serverId, message] of cases) {
      const job = await refusedBeforeCalling(world, 'PublicIp', ip.id, 'attachIp', { serverId });
      expect(job.error).toMatchObject({ message, details: { field: 'serverId' } });
    }
    world.scw.seed({ zone: 'nl-ams-1', servers: 1, namePrefix: 'dev-far', state: 'running' });
    world.scw.seed({ zone: ZONE, servers: 1, namePrefix: 'dev-theirs', state: 'running' });
    expect((await world.run('ScalewayServer', null, 'syncServers', { namePrefix: 'dev-' })).status).toBe('succeeded');
    const [far] = await world.list('ScalewayServer', '&name=dev-far-1');
    const farJob = await refusedBeforeCalling(world, 'PublicIp', ip.id, 'attachIp', { serverId: far.id });
    expect(farJob.error).toMatchObject({ message: `dev-far-1 is in nl-ams-1, ${ip.address} in ${ZONE}: an IP attaches only to a server of its zone`, details: { field: 'serverId' } });
    const [theirs] = await world.list('ScalewayServer', '&name=dev-theirs-1');
    const observed = await refusedBeforeCalling(world, 'PublicIp', ip.id, 'attachIp', { serverId: theirs.id });
    expect(observed.error).toMatchObject({ message: 'The server dev-theirs-1 was imported by a sync and is only observed: adopt it first', details: { field: 'serverId' } });
  });

  it('releases an address; refuses while it is attached unless forced, then detaches it first', async () => {
    const ip = await reserved();
    await world.run('PublicIp', ip.id, 'attachIp', { serverId: server.id });
    const refused = await refusedBeforeCalling(world, 'PublicIp', ip.id, 'releaseIp');
    expect(refused.error).toMatchObject({ message: `${ip.address} is attached to dev-edge: detach it first, or release it with force`, details: { field: 'force' } });
    expect(remote(ip.providerSideId)).toBeDefined();

    const planned = await dryRun(world, 'PublicIp', ip.id, 'releaseIp', { force: true });
    const path = `/instance/v1/zones/${ZONE}/ips/${ip.providerSideId}`;
    expect(planned.value.calls).toEqual([{ method: 'PATCH', path, body: { server: null } }, { method: 'DELETE', path }]);

    const mark = world.scw.journal.mark();
    const released = await world.run('PublicIp', ip.id, 'releaseIp', { force: true });
    expect(released.message).toBe(`Released ${ip.address} after detaching it from dev-edge`);
    expect(world.scw.journal.mutations(mark).map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH ${path}`, `DELETE ${path}`]);
    expect(remote(ip.providerSideId)).toBeUndefined();
    expect((await world.api.call('admin', 'GET', `/api/v1/entities/PublicIp/${ip.id}`)).status).toBe(404);
    expect((await world.get('ScalewayServer', server.id)).publicIp).toBeNull();

    const free = await reserved();
    expect((await world.run('PublicIp', free.id, 'releaseIp')).message).toBe(`Released ${free.address}`);
  });

  it('sets and clears the reverse DNS name', async () => {
    const ip = await reserved();
    expect((await world.run('PublicIp', ip.id, 'setReverse', { reverse: 'mail.example.com' })).message).toBe(`${ip.address} now resolves back to mail.example.com`);
    expect(remote(ip.providerSideId)!.reverse).toBe('mail.example.com');
    expect(await world.get('PublicIp', ip.id)).toMatchObject({ reverse: 'mail.example.com' });
    const bad = await refusedBeforeCalling(world, 'PublicIp', ip.id, 'setReverse', { reverse: 'not a host name' });
    expect(bad).toMatchObject({ status: 'refused', httpStatus: 400 });
    expect(bad.error.message).toContain('reverse');
    expect((await world.run('PublicIp', ip.id, 'setReverse')).message).toBe(`Cleared the reverse DNS of ${ip.address}`);
    expect(remote(ip.providerSideId)!.reverse).toBeNull();
  });

  it('imports addresses as observed: read-only until adopted', async () => {
    const made = await scalewayDirect(world).post(`/instance/v1/zones/${ZONE}/ips`, { type: 'routed_ipv4', tags: ['legacy'] });
    expect((await world.run('ServiceProvider', world.providerId, 'populateProviderFields')).status).toBe('succeeded');
    const [ip] = await world.list('PublicIp', `&providerSideId=${made.body.ip.id}`);
    expect(ip).toMatchObject({ ownership: 'observed', tags: ['legacy'] });
    expectNotApplicable(await refusedBeforeCalling(world, 'PublicIp', ip.id, 'releaseIp'), 'only observed: adopt it first');
    expectNotApplicable(await refusedBeforeCalling(world, 'PublicIp', ip.id, 'attachIp', { serverId: server.id }), 'only observed: adopt it first');
    expect((await dryRun(world, 'PublicIp', ip.id, 'adopt')).message).toBe(`Dry run: would adopt ${ip.address}; nothing was changed (adopting sends nothing to the provider).`);
    expect((await world.get('PublicIp', ip.id)).ownership).toBe('observed');
    expect((await world.run('PublicIp', ip.id, 'adopt')).message).toBe(`Adopted ${ip.address}: it is managed here now`);
    expectNotApplicable(await world.run('PublicIp', ip.id, 'adopt'), 'it is ours already');
    expect((await world.run('PublicIp', ip.id, 'releaseIp')).status).toBe('succeeded');
    expect(remote(ip.providerSideId)).toBeUndefined();
  });

  it('answers dry runs with the calls it would send, and sends none', async () => {
    const draft = await world.create('PublicIp', { zone: ZONE, serviceProviderId: world.providerId, type: 'routed_ipv6' });
    expect((await dryRun(world, 'PublicIp', draft.id, 'reserveIp')).value.calls).toEqual([
      { method: 'POST', path: `/instance/v1/zones/${ZONE}/ips`, body: { type: 'routed_ipv6', tags: [`mv-record=${draft.id}`] } },
    ]);
    const ip = await reserved();
    const path = `/instance/v1/zones/${ZONE}/ips/${ip.providerSideId}`;
    expect((await dryRun(world, 'PublicIp', ip.id, 'attachIp', { serverId: server.id })).value.calls).toEqual([{ method: 'PATCH', path, body: { server: server.providerSideId } }]);
    expect((await dryRun(world, 'PublicIp', ip.id, 'setReverse', { reverse: 'www.example.com' })).value.calls).toEqual([{ method: 'PATCH', path, body: { reverse: 'www.example.com' } }]);
    expect(remote(ip.providerSideId)).toMatchObject({ server_id: null, reverse: null });
    await world.run('PublicIp', ip.id, 'attachIp', { serverId: server.id });
    expect((await dryRun(world, 'PublicIp', ip.id, 'detachIp')).value.calls).toEqual([{ method: 'PATCH', path, body: { server: null } }]);
    expect(remote(ip.providerSideId)!.server_id).toBe(server.providerSideId);
  });
});
