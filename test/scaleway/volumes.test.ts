import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/runtime.js';
import type { ScalewayWorld } from '../support/scaleway.js';
import { dryRun, expectNotApplicable, populatedWorld, refusedBeforeCalling, scalewayDirect, suffix } from './support.js';

const GB = 1_000_000_000;
const ZONE = 'fr-par-1';

describe.each(DIALECTS)('Scaleway volumes on %s', (dialect) => {
  let world: ScalewayWorld;
  let ubuntu: { id: string };
  beforeAll(async () => {
    ({ world, ubuntu } = await populatedWorld(dialect));
  });
  afterAll(() => world.close());

  const newVolume = (fields: Record<string, unknown>) => world.create('ServerVolume', { name: `dev-data-${suffix()}`, zone: ZONE, serviceProviderId: world.providerId, ...fields });
  const created = async (fields: Record<string, unknown>) => {
    const volume = await newVolume(fields);
    const job = await world.run('ServerVolume', volume.id, 'createVolume');
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    return world.get('ServerVolume', volume.id);
  };
  const runningServer = async () => {
    const server = await world.create('ScalewayServer', { name: `dev-vol-${suffix()}`, serverType: 'DEV1-S', zone: ZONE, serviceProviderId: world.providerId, imageId: ubuntu.id });
    expect((await world.run('ScalewayServer', server.id, 'createServer')).status).toBe('succeeded');
    return world.get('ScalewayServer', server.id);
  };

  it('creates a Block volume with its IOPS class and a local one, tagged with their records, and waits until available', async () => {
    const sbs = await created({ volumeType: 'sbs_volume', size: 20 * GB, iops: 15000, tags: ['db'] });
    expect(sbs).toMatchObject({ state: 'available', size: 20 * GB, iops: 15000, kind: 'volume', ownership: 'managed', tags: ['db'], serverId: null });
    const remote = world.scw.state.blockVolumes.get(sbs.providerSideId)!;
    expect(remote).toMatchObject({ name: sbs.name, size: 20 * GB, type: 'sbs_15k', status: 'available' });
    expect(remote.tags).toEqual(['db', `mv-record=${sbs.id}`]);

    const local = await created({ volumeType: 'l_ssd', size: 25 * GB });
    expect(local).toMatchObject({ state: 'available', size: 25 * GB, volumeType: 'l_ssd', iops: null });
    expect(world.scw.state.volumes.get(local.providerSideId)).toMatchObject({ volume_type: 'l_ssd', size: 25 * GB, tags: [`mv-record=${local.id}`] });

    // From a snapshot: the volume takes the snapshot's size.
    const snapshot = await scalewayDirect(world).post(`/block/v1/zones/${ZONE}/snapshots`, { volume_id: sbs.providerSideId, name: 'db-snap' });
    const restored = await created({ volumeType: 'sbs_volume', baseSnapshot: snapshot.body.id });
    expect(restored).toMatchObject({ size: 20 * GB, baseSnapshot: snapshot.body.id, iops: 5000 });
  });

  it('refuses before calling: no size nor snapshot, both, out of the zone’s bounds, a size local disks cannot have, a retired type', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ volumeType: 'sbs_volume' }, 'size', 'Give the size, or a snapshot to create the volume from'],
      [{ volumeType: 'sbs_volume', size: 10 * GB, baseSnapshot: 'f0f0f0f0-0000-4000-8000-000000000000' }, 'size', 'Give a size or a base snapshot, not both'],
      [{ volumeType: 'sbs_volume', size: 20_000 * GB }, 'size', 'sbs_volume volumes in fr-par-1 take 1 GB to 10000 GB; 20000 GB is out of bounds'],
      [{ volumeType: 'l_ssd', size: 900 * GB }, 'size', 'l_ssd volumes in fr-par-1 take 1 GB to 800 GB; 900 GB is out of bounds'],
      [{ volumeType: 'l_ssd', size: 10 * GB + 1 }, 'size', "A local volume's size is a whole number of 512-byte sectors; 10000000001 bytes is not"],
      [{ volumeType: 'b_ssd', size: 10 * GB }, 'volumeType', 'b_ssd volumes cannot be created'],
    ];
    for (const [fields, field, message] of cases) {
      const volume = await newVolume(fields);
      const job = await refusedBeforeCalling(world, 'ServerVolume', volume.id, 'createVolume');
      expect(job.error.message, JSON.stringify(fields)).toContain(message);
      expect(job.error.details).toEqual({ field });
      expect((await world.get('ServerVolume', volume.id)).providerSideId).toBeNull();
    }
  });

  it('shows Scaleway’s refusal with the field and its message', async () => {
    const before = world.scw.state.blockVolumes.size;
    const volume = await newVolume({ volumeType: 'sbs_volume', size: 10 * GB, iops: 7000 });
    const job = await world.run('ServerVolume', volume.id, 'createVolume');
    expect(job).toMatchObject({ status: 'failed', error: { details: { providerCode: 'invalid_arguments', fields: { perf_iops: ['must be one of 5000, 15000'] } } } });
    expect(job.error.message).toContain('perf_iops: must be one of 5000, 15000');
    expect(world.scw.state.blockVolumes.size).toBe(before);
  });

  it('adopts the volume whose create answer was lost instead of creating a second one', async () => {
    const volume = await newVolume({ volumeType: 'sbs_volume', size: 10 * GB });
    world.scw.faults.set({ dropAfterCommit: { method: 'POST', path: `/block/v1/zones/${ZONE}/volumes`, count: 1 } });
    const job = await world.run('ServerVolume', volume.id, 'createVolume');
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    expect(job.steps.map((s: { message: string }) => s.message)).toContain(`The create answer was lost, but the volume exists (${job.value.id}): adopting it`);
    const tagged = [...world.scw.state.blockVolumes.values()].filter((v) => v.tags.includes(`mv-record=${volume.id}`));
    expect(tagged.map((v) => v.id)).toEqual([job.value.id]);
    expect((await world.get('ServerVolume', volume.id)).providerSideId).toBe(job.value.id);
  });

  it('renames a local volume but never resizes it; grows a Block volume but never shrinks it', async () => {
    const local = await created({ volumeType: 'l_ssd', size: 20 * GB });
    await world.api.call('admin', 'PATCH', `/api/v1/entities/ServerVolume/${local.id}`, { name: `${local.name}-logs`, size: 40 * GB });
    const resized = await refusedBeforeCalling(world, 'ServerVolume', local.id, 'updateVolume');
    expect(resized.error).toMatchObject({ message: expect.stringContaining('A local volume can only be renamed: its size stays 20 GB'), details: { field: 'size' } });
    await world.api.call('admin', 'PATCH', `/api/v1/entities/ServerVolume/${local.id}`, { size: 20 * GB, volumeType: 'sbs_volume' });
    const retyped = await refusedBeforeCalling(world, 'ServerVolume', local.id, 'updateVolume');
    expect(retyped.error).toMatchObject({ message: expect.stringContaining('A volume cannot change type (l_ssd to sbs_volume)'), details: { field: 'volumeType' } });
    await world.api.call('admin', 'PATCH', `/api/v1/entities/ServerVolume/${local.id}`, { volumeType: 'l_ssd' });
    expect((await world.run('ServerVolume', local.id, 'updateVolume')).message).toBe(`Saved ${local.name}-logs at Scaleway`);
    expect(world.scw.state.volumes.get(local.providerSideId)).toMatchObject({ name: `${local.name}-logs`, size: 20 * GB });

    const sbs = await created({ volumeType: 'sbs_volume', size: 20 * GB });
    await world.api.call('admin', 'PATCH', `/api/v1/entities/ServerVolume/${sbs.id}`, { size: 10 * GB });
    const shrunk = await refusedBeforeCalling(world, 'ServerVolume', sbs.id, 'updateVolume');
    expect(shrunk.error).toMatchObject({ message: 'A Block volume can grow but never shrink: 10 GB is smaller than its 20 GB', details: { field: 'size' } });
    await world.api.call('admin', 'PATCH', `/api/v1/entities/ServerVolume/${sbs.id}`, { size: 50 * GB, iops: 15000 });
    const grown = await world.run('ServerVolume', sbs.id, 'updateVolume');
    expect(grown.message).toBe(`Saved ${sbs.name} at Scaleway, grown from 20 GB to 50 GB, 15000 IOPS`);
    expect(world.scw.state.blockVolumes.get(sbs.providerSideId)).toMatchObject({ size: 50 * GB, type: 'sbs_15k' });
    expect(await world.get('ServerVolume', sbs.id)).toMatchObject({ size: 50 * GB, iops: 15000 });
  });

  it('attaches a volume to a server and detaches it; refuses to delete it while attached', async () => {
    const server = await runningServer();
    const volume = await created({ volumeType: 'sbs_volume', size: 15 * GB });
    const attached = await world.run('ScalewayServer', server.id, 'attachVolume', { volumeId: volume.id });
    expect(attached.message).toBe(`Attached ${volume.name} to ${server.name}`);
    expect(world.scw.state.servers.get(server.providerSideId)!.volume_refs.map((ref) => ref.id)).toContain(volume.providerSideId);
    expect(await world.get('ServerVolume', volume.id)).toMatchObject({ serverId: server.id, state: 'in_use', isBoot: false });

    expectNotApplicable(await refusedBeforeCalling(world, 'ServerVolume', volume.id, 'deleteVolume'), 'it is attached to a server: detach it first');
    const again = await refusedBeforeCalling(world, 'ScalewayServer', server.id, 'attachVolume', { volumeId: volume.id });
    expect(again.error).toMatchObject({ message: `${volume.name} is attached to ${server.name} already`, details: { field: 'volumeId' } });

    const detached = await world.run('ScalewayServer', server.id, 'detachVolume', { volumeId: volume.id });
    expect(detached.message).toBe(`Detached ${volume.name} from ${server.name}`);
    expect(world.scw.state.blockVolumes.get(volume.providerSideId)!.references).toEqual([]);
    expect(await world.get('ServerVolume', volume.id)).toMatchObject({ serverId: null });

    // Scaleway changes local disks only while the server is stopped: its refusal is shown as it says it.
    const local = await created({ volumeType: 'l_ssd', size: 10 * GB });
    const hot = await world.run('ScalewayServer', server.id, 'attachVolume', { volumeId: local.id });
    expect(hot).toMatchObject({ status: 'failed', error: { details: { providerCode: 'invalid_request_error', providerMessage: 'server should be stopped to change its local volumes' } } });
    expect(world.scw.state.volumes.get(local.providerSideId)!.server_id).toBeNull();

    const deleted = await world.run('ServerVolume', volume.id, 'deleteVolume');
    expect(deleted.message).toBe(`Deleted the volume ${volume.name} (${volume.providerSideId}) in ${ZONE}`);
    expect(world.scw.state.blockVolumes.has(volume.providerSideId)).toBe(false);
    expect((await world.api.call('admin', 'GET', `/api/v1/entities/ServerVolume/${volume.id}`)).status).toBe(404);
  });

  it('asks Scaleway before deleting: a volume attached behind our back is refused', async () => {
    const server = await runningServer();
    const volume = await created({ volumeType: 'sbs_volume', size: 10 * GB });
    const direct = await scalewayDirect(world).post(`/instance/v1/zones/${ZONE}/servers/${server.providerSideId}/attach-volume`, { volume_id: volume.providerSideId, volume_type: 'sbs_volume' });
    expect(direct.status).toBe(200);
    const job = await refusedBeforeCalling(world, 'ServerVolume', volume.id, 'deleteVolume');
    expect(job.error).toMatchObject({ message: `${volume.name} is attached to ${server.name} at Scaleway: detach it first`, details: { field: 'serverId' } });
    expect(world.scw.state.blockVolumes.has(volume.providerSideId)).toBe(true);
  });

  it('deletes a local volume through the Instance API', async () => {
    const local = await created({ volumeType: 'l_ssd', size: 10 * GB });
    const mark = world.scw.journal.mark();
    expect((await world.run('ServerVolume', local.id, 'deleteVolume')).status).toBe('succeeded');
    expect(world.scw.journal.mutations(mark)).toEqual([expect.objectContaining({ method: 'DELETE', path: `/instance/v1/zones/${ZONE}/volumes/${local.providerSideId}` })]);
    expect(world.scw.state.volumes.has(local.providerSideId)).toBe(false);
  });

  it('answers dry runs with the calls it would send, and sends none', async () => {
    const volume = await newVolume({ volumeType: 'sbs_volume', size: 30 * GB, tags: ['web'] });
    const create = await dryRun(world, 'ServerVolume', volume.id, 'createVolume');
    expect(create.value.calls).toEqual([
      { method: 'POST', path: `/block/v1/zones/${ZONE}/volumes`, body: { name: volume.name, perf_iops: 5000, tags: ['web', `mv-record=${volume.id}`], from_empty: { size: 30 * GB } } },
    ]);
    expect((await world.get('ServerVolume', volume.id)).providerSideId).toBeNull();

    const sbs = await created({ volumeType: 'sbs_volume', size: 10 * GB });
    await world.api.call('admin', 'PATCH', `/api/v1/entities/ServerVolume/${sbs.id}`, { size: 12 * GB });
    expect((await dryRun(world, 'ServerVolume', sbs.id, 'updateVolume')).value.calls).toEqual([
      { method: 'PATCH', path: `/block/v1/zones/${ZONE}/volumes/${sbs.providerSideId}`, body: { name: sbs.name, tags: [`mv-record=${sbs.id}`], size: 12 * GB } },
    ]);
    expect((await dryRun(world, 'ServerVolume', sbs.id, 'deleteVolume')).value.calls).toEqual([{ method: 'DELETE', path: `/block/v1/zones/${ZONE}/volumes/${sbs.providerSideId}` }]);
    expect(world.scw.state.blockVolumes.get(sbs.providerSideId)).toMatchObject({ size: 10 * GB });
  });

  it('imports a few hundred volumes of both APIs across pages, linked to their servers, observed until adopted', async () => {
    world.scw.seed({ zone: ZONE, servers: 120, namePrefix: 'dev-fleet', volumesPerServer: 1 });
    const scw = scalewayDirect(world);
    const locals = await Promise.all(Array.from({ length: 130 }, (_, i) => scw.post(`/instance/v1/zones/${ZONE}/volumes`, { name: `scratchpad-${i}`, volume_type: 'l_ssd', size: 5 * GB })));
    expect(locals.every((r) => r.status === 201)).toBe(true);
    expect((await world.run('ScalewayServer', null, 'syncServers', { namePrefix: 'dev-fleet' })).status).toBe('succeeded');

    const mark = world.scw.journal.mark();
    const job = await world.run('ServerVolume', null, 'listVolumes');
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const total = world.scw.state.volumes.size + world.scw.state.blockVolumes.size;
    expect(total).toBeGreaterThan(300);
    expect(job.value).toMatchObject({ listed: total, gone: 0 });
    const pages = world.scw.journal.since(mark).filter((r) => r.method === 'GET');
    expect(pages.filter((r) => r.path === `/instance/v1/zones/${ZONE}/volumes`).length).toBe(Math.ceil(world.scw.state.volumes.size / 100));
    expect(pages.filter((r) => r.path === `/block/v1/zones/${ZONE}/volumes`).length).toBe(Math.ceil(world.scw.state.blockVolumes.size / 100));

    const [scratch] = await world.list('ServerVolume', '&name=scratchpad-7');
    expect(scratch).toMatchObject({ ownership: 'observed', volumeType: 'l_ssd', size: 5 * GB, serverId: null });
    const [fleetServer] = await world.list('ScalewayServer', '&name=dev-fleet-001');
    const fleetVolumes = await world.list('ServerVolume', `&serverId=${fleetServer.id}`);
    expect(fleetVolumes).toHaveLength(2);

    // Observed: read-only until adopted.
    expectNotApplicable(await refusedBeforeCalling(world, 'ServerVolume', scratch.id, 'deleteVolume'), 'only observed: adopt it first');
    expect((await world.run('ServerVolume', scratch.id, 'adopt')).message).toBe(`Adopted the volume scratchpad-7: it is managed here now`);
    expect((await world.run('ServerVolume', scratch.id, 'deleteVolume')).status).toBe('succeeded');

    // Gone behind our back: an observed record goes, ours is kept and marked deleted.
    const [other] = await world.list('ServerVolume', '&name=scratchpad-8');
    await world.run('ServerVolume', other.id, 'adopt');
    for (const name of ['scratchpad-8', 'scratchpad-9']) await scw.delete(`/instance/v1/zones/${ZONE}/volumes/${[...world.scw.state.volumes.values()].find((v) => v.name === name)!.id}`);
    const resync = await world.run('ServerVolume', null, 'listVolumes');
    expect(resync.value).toMatchObject({ added: 0, gone: 2 });
    expect(await world.list('ServerVolume', '&name=scratchpad-9')).toEqual([]);
    expect(await world.get('ServerVolume', other.id)).toMatchObject({ state: 'deleted', ownership: 'managed' });
    expect((await world.run('ServerVolume', null, 'listVolumes')).value).toMatchObject({ added: 0, gone: 0 });
  });
});
