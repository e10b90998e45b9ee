import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/runtime.js';
import type { ScalewayWorld } from '../support/scaleway.js';
import { populatedWorld, refusedBeforeCalling, resumedRun, scalewayDirect, suffix } from './support.js';

const GB = 1_000_000_000;
const ZONE = 'fr-par-1';
const SERVERS = `/instance/v1/zones/${ZONE}/servers`;

/** Actions resumed after their worker stopped, answers lost, and the other ways a step runs twice. */
describe.each(DIALECTS)('Scaleway actions run again on %s', (dialect) => {
  let world: ScalewayWorld;
  let ubuntu: { id: string };
  beforeAll(async () => {
    ({ world, ubuntu } = await populatedWorld(dialect));
  });
  afterAll(() => world.close());

  /** Transitions long enough for a resumed job to find the server still on its way. */
  const slowly = async <T>(work: () => Promise<T>): Promise<T> => {
    world.scw.config.transitionMs = 400;
    try {
      return await work();
    } finally {
      world.scw.config.transitionMs = 30;
    }
  };
  const server = async (state: 'running' | 'stopped', fields: Record<string, unknown> = {}) => {
    const record = await world.create('ScalewayServer', { name: `dev-again-${suffix()}`, serverType: 'DEV1-S', zone: ZONE, serviceProviderId: world.providerId, imageId: ubuntu.id, ...fields });
    expect((await world.run('ScalewayServer', record.id, 'createServer', { powerOn: state === 'running' })).status).toBe('succeeded');
    return world.get('ScalewayServer', record.id);
  };
  const volume = async (fields: Record<string, unknown> = {}) => {
    const record = await world.create('ServerVolume', { name: `dev-disk-${suffix()}`, zone: ZONE, serviceProviderId: world.providerId, volumeType: 'sbs_volume', size: 10 * GB, ...fields });
    expect((await world.run('ServerVolume', record.id, 'createVolume')).status).toBe('succeeded');
    return world.get('ServerVolume', record.id);
  };
  const history = async (serverId: string) =>
    (await world.list('ServerAction', `&serverId=${serverId}&sort=startedAt`)).map((h: { action: string; status: string }) => `${h.action}:${h.status}`);
  /** What the first attempt of a job did before its worker stopped: sent the action, and kept it in the history. */
  const sentBefore = (target: { id: string; name: string; providerSideId: string }, action: string) => async (jobId: string) => {
    expect((await scalewayDirect(world).post(`${SERVERS}/${target.providerSideId}/action`, { action })).status).toBe(202);
    const entries = world.runtime.data.getRepository('ServerAction');
    await entries.save(entries.create({ serverId: target.id, serverName: target.name, action, status: 'pending', jobId, startedAt: new Date() }));
  };

  it('resumed after sending poweron, only waits for the boot and settles the first attempt’s history entry', async () => {
    const stopped = await server('stopped');
    const job = await slowly(() => resumedRun(world, { entity: 'ScalewayServer', recordId: stopped.id, action: 'poweron' }, sentBefore(stopped, 'poweron')));
    expect(job.status, job.error ?? '').toBe('succeeded');
    expect(job.steps.map((s) => s.message)).toContain(`${stopped.name}: poweron was sent before the job's worker stopped; waiting for it`);
    expect(await world.get('ScalewayServer', stopped.id)).toMatchObject({ state: 'running' });
    expect(await history(stopped.id)).toEqual(['poweron:success']);
  });

  it('resumed after creating a server from a volume and powering it on, neither checks nor creates again: it waits for the boot', async () => {
    const disk = await volume({ size: 20 * GB });
    const record = await world.create('ScalewayServer', { name: `dev-boot-${suffix()}`, serverType: 'DEV1-S', zone: ZONE, serviceProviderId: world.providerId });
    const direct = scalewayDirect(world);
    const job = await slowly(() =>
      resumedRun(world, { entity: 'ScalewayServer', recordId: record.id, action: 'createServer', params: { fromVolumeId: disk.id } }, async (jobId) => {
        // The first attempt created the server from the volume, kept its id, recorded it (the volume is
        // attached to it now) and sent poweron.
        const created = (await direct.post(SERVERS, { name: record.name, commercial_type: 'DEV1-S', tags: [`mv-record=${record.id}`], volumes: { 0: { id: disk.providerSideId, boot: true, volume_type: 'sbs_volume' } } })).body.server;
        await world.runtime.data.getRepository('ScalewayServer').update(record.id, { providerSideId: created.id, state: created.state });
        await world.runtime.data.getRepository('ServerVolume').update(disk.id, { serverId: record.id, isBoot: true });
        await sentBefore({ ...record, providerSideId: created.id }, 'poweron')(jobId);
      }),
    );
    expect(job.status, job.error ?? '').toBe('succeeded');
    expect([...world.scw.state.servers.values()].filter((s) => s.tags.includes(`mv-record=${record.id}`))).toHaveLength(1);
    expect(await world.get('ScalewayServer', record.id)).toMatchObject({ state: 'running' });
    expect(await world.get('ServerVolume', disk.id)).toMatchObject({ serverId: record.id, isBoot: true });
    expect(await history(record.id)).toEqual(['poweron:success']);
  });

  it('resumed after sending terminate, waits until the server is gone and removes its record', async () => {
    const running = await server('running');
    const job = await slowly(() => resumedRun(world, { entity: 'ScalewayServer', recordId: running.id, action: 'terminate' }, sentBefore(running, 'terminate')));
    expect(job.status, job.error ?? '').toBe('succeeded');
    expect(world.scw.state.servers.has(running.providerSideId)).toBe(false);
    expect((await world.api.call('admin', 'GET', `/api/v1/entities/ScalewayServer/${running.id}`)).status).toBe(404);
    const entries = await world.list('ServerAction', `&serverName=${running.name}&sort=startedAt`);
    expect(entries.map((h: { action: string; status: string }) => `${h.action}:${h.status}`)).toEqual(['poweron:success', 'terminate:success']);
  });

  it('resumed after attaching or detaching a volume, does not send it again', async () => {
    const running = await server('running');
    const disk = await volume();
    const direct = scalewayDirect(world);
    const attached = await resumedRun(world, { entity: 'ScalewayServer', recordId: running.id, action: 'attachVolume', params: { volumeId: disk.id } }, async () => {
      expect((await direct.post(`${SERVERS}/${running.providerSideId}/attach-volume`, { volume_id: disk.providerSideId, volume_type: 'sbs_volume' })).status).toBe(200);
    });
    expect(attached.status, attached.error ?? '').toBe('succeeded');
    expect(await world.get('ServerVolume', disk.id)).toMatchObject({ serverId: running.id });

    const detached = await resumedRun(world, { entity: 'ScalewayServer', recordId: running.id, action: 'detachVolume', params: { volumeId: disk.id } }, async () => {
      expect((await direct.post(`${SERVERS}/${running.providerSideId}/detach-volume`, { volume_id: disk.providerSideId })).status).toBe(200);
    });
    expect(detached.status, detached.error ?? '').toBe('succeeded');
    expect(await world.get('ServerVolume', disk.id)).toMatchObject({ serverId: null });
    expect(world.scw.state.blockVolumes.get(disk.providerSideId)!.references).toEqual([]);
  });

  it('adopts the backup whose answer was lost instead of taking a second one', async () => {
    const running = await server('running');
    world.scw.faults.set({ dropAfterCommit: { method: 'POST', path: `${SERVERS}/*/action`, count: 1 } });
    const job = await world.run('ScalewayServer', running.id, 'backup', { name: `${running.name}-lost` });
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const images = [...world.scw.state.images.values()].filter((image) => image.name === `${running.name}-lost`);
    expect(images).toHaveLength(1);
    expect(job.steps.map((s: { message: string }) => s.message)).toContain(`The create answer was lost, but the image exists (${images[0].id}): adopting it`);
    expect(await world.get('ServerImage', job.value.recordId)).toMatchObject({ providerSideId: images[0].id, state: 'available', ownership: 'managed' });
  });

  it('refuses to boot from an observed volume, before calling', async () => {
    const disk = await volume();
    await world.runtime.data.getRepository('ServerVolume').update(disk.id, { ownership: 'observed' });
    const record = await world.create('ScalewayServer', { name: `dev-boot-${suffix()}`, serverType: 'DEV1-S', zone: ZONE, serviceProviderId: world.providerId });
    const job = await refusedBeforeCalling(world, 'ScalewayServer', record.id, 'createServer', { fromVolumeId: disk.id });
    expect(job.error).toMatchObject({ message: `The volume ${disk.name} was imported by a sync and is only observed: adopt it first`, details: { field: 'fromVolumeId' } });
  });

  it('deletes a server with its volumes only if each volume is ours', async () => {
    const observed = await server('stopped');
    const [root] = await world.list('ServerVolume', `&serverId=${observed.id}`);
    await world.runtime.data.getRepository('ServerVolume').update(root.id, { ownership: 'observed' });
    const refused = await refusedBeforeCalling(world, 'ScalewayServer', observed.id, 'deleteServerWithVolumes');
    expect(refused.error.message).toBe(`The volume ${root.name} was imported by a sync and is only observed: adopt it first`);
    expect(world.scw.state.servers.has(observed.providerSideId)).toBe(true);
  });

  it('deletes the Block volumes of a deleted server once Scaleway lets go of them', async () => {
    // Scaleway holds a deleted server's Block volumes for a moment, and refuses to delete them until then.
    const stopped = await server('stopped');
    world.scw.config.blockDetachMs = 300;
    try {
      const job = await world.run('ScalewayServer', stopped.id, 'deleteServerWithVolumes');
      expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
      expect(world.scw.state.blockVolumes.has(job.value.deletedVolumes[0])).toBe(false);
    } finally {
      world.scw.config.blockDetachMs = 0;
    }
    expect(await world.list('ServerVolume', `&serverId=${stopped.id}`)).toEqual([]);
  });

  it('keeps the records of a server deleted with its volumes until every volume is deleted, so that it can run again', async () => {
    const stopped = await server('stopped');
    const [root] = await world.list('ServerVolume', `&serverId=${stopped.id}`);
    world.scw.faults.set({ serverErrors: { method: 'DELETE', path: `/block/v1/zones/${ZONE}/volumes/*`, count: 1, status: 400 } });
    const failed = await world.run('ScalewayServer', stopped.id, 'deleteServerWithVolumes');
    expect(failed.status).toBe('failed');
    expect(world.scw.state.servers.has(stopped.providerSideId)).toBe(false);
    expect(await world.get('ServerVolume', root.id)).toMatchObject({ serverId: stopped.id });

    const again = await world.run('ScalewayServer', stopped.id, 'deleteServerWithVolumes');
    expect(again.status, JSON.stringify(again.error)).toBe('succeeded');
    expect(world.scw.state.blockVolumes.has(root.providerSideId)).toBe(false);
    expect((await world.api.call('admin', 'GET', `/api/v1/entities/ServerVolume/${root.id}`)).status).toBe(404);
  });

  it('leaves the IPs of a deleted server detached, and forgets IPs released at Scaleway', async () => {
    const stopped = await server('stopped');
    const [ip] = await world.list('PublicIp', `&serverId=${stopped.id}`);
    expect(ip).toMatchObject({ state: 'attached' });
    expect((await world.run('ScalewayServer', stopped.id, 'deleteServer')).status).toBe('succeeded');
    expect(await world.get('PublicIp', ip.id)).toMatchObject({ serverId: null, state: 'detached' });

    const direct = scalewayDirect(world);
    const made = (await direct.post(`/instance/v1/zones/${ZONE}/ips`, { type: 'routed_ipv4' })).body.ip;
    expect((await world.run('ServiceProvider', world.providerId, 'populateProviderFields')).status).toBe('succeeded');
    const [observed] = await world.list('PublicIp', `&providerSideId=${made.id}`);
    expect(observed).toMatchObject({ ownership: 'observed' });
    expect((await direct.delete(`/instance/v1/zones/${ZONE}/ips/${made.id}`)).status).toBe(204);
    // The server's own address may have gone with it (a dynamic IP): released either way.
    expect([204, 404]).toContain((await direct.delete(`/instance/v1/zones/${ZONE}/ips/${ip.providerSideId}`)).status);
    expect((await world.run('ServiceProvider', world.providerId, 'populateProviderFields')).status).toBe('succeeded');
    expect(await world.list('PublicIp', `&providerSideId=${made.id}`)).toEqual([]);
    // Ours is kept, marked deleted: the user sees what vanished behind their back.
    expect(await world.get('PublicIp', ip.id)).toMatchObject({ state: 'deleted' });
  });

  it('records a server whose Block volume vanished meanwhile, and reads it before opening the transaction', async () => {
    const running = await server('running');
    const [root] = await world.list('ServerVolume', `&serverId=${running.id}`);
    // Deleted behind our back between the server's read and the volume's (the store, not the API: Scaleway would refuse).
    world.scw.state.blockVolumes.delete(root.providerSideId);
    const inTransaction: boolean[] = [];
    const sqlite = (world.runtime.data.driver as unknown as { databaseConnection?: { inTransaction: boolean } }).databaseConnection;
    const record = world.scw.journal.record.bind(world.scw.journal);
    world.scw.journal.record = (method, path) => {
      if (method === 'GET' && path.startsWith(`/block/v1/zones/${ZONE}/volumes/`) && dialect === 'sqlite') inTransaction.push(!!sqlite?.inTransaction);
      record(method, path);
    };
    try {
      const job = await world.run('ScalewayServer', running.id, 'poweroff');
      expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    } finally {
      world.scw.journal.record = record;
    }
    expect(await world.get('ServerVolume', root.id)).toMatchObject({ serverId: null });
    if (dialect === 'sqlite') {
      expect(inTransaction.length).toBeGreaterThan(0);
      expect(inTransaction.every((open) => !open), 'a Block volume read while a write transaction was open').toBe(true);
    }
  });
});
