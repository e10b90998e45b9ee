import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/runtime.js';
import { scalewayWorld, type ScalewayWorld } from '../support/scaleway.js';
import { dryRun, expectNotApplicable, refusedBeforeCalling } from './support.js';

/** Every action that changes a server at Scaleway, with the parameters it needs. */
const MUTATING: [string, Record<string, unknown>][] = [
  ['updateServer', {}],
  ['poweroff', {}],
  ['reboot', {}],
  ['stopInPlace', {}],
  ['backup', { name: 'nope' }],
  ['terminate', {}],
  ['deleteServer', {}],
  ['deleteServerWithVolumes', {}],
  ['attachVolume', { volumeId: '6f1c0a52-0000-4000-8000-000000000000' }],
  ['detachVolume', { volumeId: '6f1c0a52-0000-4000-8000-000000000000' }],
  ['setUserData', { content: '#cloud-config' }],
];

describe.each(DIALECTS)('Adopting what a sync imported, on %s', (dialect) => {
  let world: ScalewayWorld;
  beforeAll(async () => {
    world = await scalewayWorld(dialect);
  });
  afterAll(() => world.close());

  it('keeps an imported server read-only until it is adopted, with its volumes and IPs', async () => {
    world.scw.seed({ zone: 'fr-par-1', servers: 1, namePrefix: 'dev-legacy', volumesPerServer: 1, withIp: true, state: 'running' });
    expect((await world.run('ScalewayServer', null, 'syncServers', { namePrefix: 'dev-legacy' })).status).toBe('succeeded');
    const [server] = await world.list('ScalewayServer', '&name=dev-legacy-1');
    expect(server).toMatchObject({ ownership: 'observed', state: 'running' });

    for (const [action, params] of MUTATING) {
      expectNotApplicable(await refusedBeforeCalling(world, 'ScalewayServer', server.id, action, params), 'it was imported by a sync and is only observed: adopt it first');
    }
    // Reading is allowed.
    expect((await world.run('ScalewayServer', server.id, 'listUserData')).status).toBe('succeeded');
    const [volume] = await world.list('ServerVolume', `&serverId=${server.id}&isBoot=false`);
    expect(volume.ownership).toBe('observed');

    const planned = await dryRun(world, 'ScalewayServer', server.id, 'adopt');
    expect(planned.message).toBe('Dry run: would adopt dev-legacy-1 with 2 attached volumes, 1 public IPs; nothing was changed (adopting sends nothing to the provider).');
    expect((await world.get('ScalewayServer', server.id)).ownership).toBe('observed');

    const adopted = await world.run('ScalewayServer', server.id, 'adopt');
    expect(adopted).toMatchObject({ status: 'succeeded', message: 'Adopted dev-legacy-1 with 2 attached volumes, 1 public IPs: it is managed here now' });
    expect(await world.list('ServerVolume', `&serverId=${server.id}&ownership=observed`)).toEqual([]);
    expect(await world.list('PublicIp', `&serverId=${server.id}&ownership=managed`)).toHaveLength(1);
    expectNotApplicable(await world.run('ScalewayServer', server.id, 'adopt'), 'it is ours already');

    const off = await world.run('ScalewayServer', server.id, 'poweroff');
    expect(off).toMatchObject({ status: 'succeeded', message: 'dev-legacy-1 is stopped' });
    expect([...world.scw.state.servers.values()].find((s) => s.name === 'dev-legacy-1')!.state).toBe('stopped');
    expect((await world.run('ScalewayServer', server.id, 'detachVolume', { volumeId: volume.id })).status).toBe('succeeded');
    // A later sync leaves the adopted server ours.
    await world.run('ScalewayServer', null, 'syncServers', { namePrefix: 'dev-legacy' });
    expect((await world.get('ScalewayServer', server.id)).ownership).toBe('managed');
  });
});
