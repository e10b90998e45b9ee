import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_TYPES } from '../../sandbox/scaleway/catalogue.js';
import { DIALECTS } from '../support/runtime.js';
import type { ScalewayWorld } from '../support/scaleway.js';
import { dryRun, populatedWorld, refusedBeforeCalling, suffix } from './support.js';

const GB = 1_000_000_000;
const ZONE = 'fr-par-1';

/** createServer "from scratch" (from a volume or a snapshot), the root volume's constraints, and stock. */
describe.each(DIALECTS)('Scaleway createServer from a volume or snapshot on %s', (dialect) => {
  let world: ScalewayWorld;
  let ubuntu: { id: string };
  beforeAll(async () => {
    ({ world, ubuntu } = await populatedWorld(dialect));
  });
  afterAll(() => world.close());

  const newServer = (fields: Record<string, unknown> = {}) =>
    world.create('ScalewayServer', { name: `dev-src-${suffix()}`, serverType: 'DEV1-S', zone: ZONE, serviceProviderId: world.providerId, ...fields });
  /** The boot snapshot of a backup of a new server (Block for an SBS root, Instance for l_ssd). */
  async function snapshotOf(fields: Record<string, unknown> = {}) {
    const server = await newServer({ imageId: ubuntu.id, ...fields });
    expect((await world.run('ScalewayServer', server.id, 'createServer', { powerOn: false })).status).toBe('succeeded');
    const backup = await world.run('ScalewayServer', server.id, 'backup', { name: `${server.name}-img` });
    expect(backup.status, JSON.stringify(backup.error)).toBe('succeeded');
    const [snapshot] = await world.list('ServerVolume', `&imageId=${backup.value.recordId}`);
    return snapshot;
  }
  const bootVolumes = (serverId: string) => world.list('ServerVolume', `&serverId=${serverId}&kind=volume`);

  it('boots from an l_ssd snapshot: a new local volume based on it, as the Instance API takes it', async () => {
    const snapshot = await snapshotOf({ rootVolumeType: 'l_ssd', volumeSize: 20 * GB });
    expect(snapshot).toMatchObject({ kind: 'snapshot', volumeType: 'l_ssd', size: 20 * GB });
    const server = await newServer();
    const planned = await dryRun(world, 'ScalewayServer', server.id, 'createServer', { fromVolumeId: snapshot.id });
    expect(planned.value.calls).toEqual([
      expect.objectContaining({ method: 'POST', path: `/instance/v1/zones/${ZONE}/servers`, body: expect.objectContaining({ volumes: { 0: { base_snapshot: snapshot.providerSideId, boot: true, volume_type: 'l_ssd', size: 20 * GB } } }) }),
    ]);
    expect(planned.value.calls[0].body.image).toBeUndefined();

    const job = await world.run('ScalewayServer', server.id, 'createServer', { fromVolumeId: snapshot.id });
    expect(job, JSON.stringify(job.error)).toMatchObject({ status: 'succeeded', value: { state: 'running' } });
    expect(await bootVolumes(server.id)).toEqual([expect.objectContaining({ isBoot: true, volumeType: 'l_ssd', size: 20 * GB })]);
    // The snapshot is left as it was, still the image's.
    expect(await world.get('ServerVolume', snapshot.id)).toMatchObject({ kind: 'snapshot', serverId: null, imageId: snapshot.imageId });
  });

  it('boots from an SBS snapshot: the Block API makes the volume first, and a lost answer does not make two', async () => {
    const snapshot = await snapshotOf();
    expect(snapshot).toMatchObject({ kind: 'snapshot', volumeType: 'sbs_snapshot' });
    const server = await newServer();
    const planned = await dryRun(world, 'ScalewayServer', server.id, 'createServer', { fromVolumeId: snapshot.id });
    expect(planned.value.calls).toEqual([
      { method: 'POST', path: `/block/v1/zones/${ZONE}/volumes`, body: expect.objectContaining({ name: `${server.name}-root`, from_snapshot: { snapshot_id: snapshot.providerSideId }, tags: [`mv-record=${server.id}`] }) },
      expect.objectContaining({ method: 'POST', path: `/instance/v1/zones/${ZONE}/servers`, body: expect.objectContaining({ volumes: { 0: { boot: true, volume_type: 'sbs_volume' } } }) }),
    ]);

    world.scw.faults.set({ dropAfterCommit: { method: 'POST', path: '/block/v1/zones/*/volumes', count: 1 } });
    const mark = world.scw.journal.mark();
    const job = await world.run('ScalewayServer', server.id, 'createServer', { fromVolumeId: snapshot.id });
    expect(job, JSON.stringify(job.error)).toMatchObject({ status: 'succeeded', value: { state: 'running' } });
    const restored = [...world.scw.state.blockVolumes.values()].filter((volume) => volume.tags.includes(`mv-record=${server.id}`));
    expect(restored).toHaveLength(1);
    expect(job.steps.map((s: { message: string }) => s.message)).toContain(`The create answer was lost, but the volume exists (${restored[0].id}): adopting it`);
    expect(restored[0]).toMatchObject({ parent_snapshot_id: snapshot.providerSideId, references: [expect.objectContaining({ product_resource_id: job.value.id })] });
    expect(world.scw.journal.mutations(mark).map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /block/v1/zones/${ZONE}/volumes`,
      `POST /instance/v1/zones/${ZONE}/servers`,
      `POST /instance/v1/zones/${ZONE}/servers/${job.value.id}/action`,
    ]);
    expect(await bootVolumes(server.id)).toEqual([
      expect.objectContaining({ providerSideId: restored[0].id, isBoot: true, volumeType: 'sbs_volume', baseSnapshot: snapshot.providerSideId, ownership: 'managed' }),
    ]);
  });

  it('refuses before calling a volume or snapshot the server type cannot boot from, naming the field', async () => {
    const local = await world.create('ServerVolume', { name: `dev-big-${suffix()}`, zone: ZONE, serviceProviderId: world.providerId, volumeType: 'l_ssd', size: 100 * GB });
    expect((await world.run('ServerVolume', local.id, 'createVolume')).status).toBe('succeeded');
    const tooBig = await refusedBeforeCalling(world, 'ScalewayServer', (await newServer()).id, 'createServer', { fromVolumeId: local.id });
    expect(tooBig.error).toMatchObject({ message: `DEV1-S needs local volumes totalling 0 GB to 20 GB; ${local.name} is 100 GB`, details: { field: 'fromVolumeId' } });
    const fits = await world.run('ScalewayServer', (await newServer({ serverType: 'GP1-XS' })).id, 'createServer', { fromVolumeId: local.id, powerOn: false });
    expect(fits.status, JSON.stringify(fits.error)).toBe('succeeded');

    const lssd = await snapshotOf({ rootVolumeType: 'l_ssd', volumeSize: 20 * GB });
    const noLocal = await refusedBeforeCalling(world, 'ScalewayServer', (await newServer({ serverType: 'PRO2-XXS' })).id, 'createServer', { fromVolumeId: lssd.id });
    expect(noLocal.error).toMatchObject({ message: `PRO2-XXS has no local storage: it cannot boot from the local snapshot ${lssd.name}`, details: { field: 'fromVolumeId' } });

    // A type without Block Storage (none in today's catalogue: as Scaleway would list one).
    const sbs = await snapshotOf();
    const type = SERVER_TYPES['STARDUST1-S'];
    type.capabilities.block_storage = false;
    try {
      const noBlock = await refusedBeforeCalling(world, 'ScalewayServer', (await newServer({ serverType: 'STARDUST1-S' })).id, 'createServer', { fromVolumeId: sbs.id });
      expect(noBlock.error).toMatchObject({ message: 'STARDUST1-S cannot boot from Block Storage: boot it from a local volume or an image', details: { field: 'fromVolumeId' } });
    } finally {
      type.capabilities.block_storage = true;
    }
  });

  it('bounds the Block root volume of an image as createVolume bounds Block volumes', async () => {
    const huge = await newServer({ imageId: ubuntu.id, volumeSize: 20_000 * GB });
    const job = await refusedBeforeCalling(world, 'ScalewayServer', huge.id, 'createServer');
    expect(job.error).toMatchObject({ message: `sbs_volume volumes in ${ZONE} take 1 GB to 10000 GB; 20000 GB is out of bounds`, details: { field: 'volumeSize' } });
  });

  it('warns in its result that the server type is scarce, and creates it', async () => {
    const [scarce] = await world.list('ServerType', `&availability=scarce&zone=${ZONE}`);
    expect(scarce, 'a scarce type in the seeded catalogue').toBeDefined();
    const server = await newServer({ serverType: scarce.name, imageId: ubuntu.id });
    const job = await world.run('ScalewayServer', server.id, 'createServer', { powerOn: false });
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    expect(job.message).toBe(`Created ${server.name} (${job.value.id}) in ${ZONE}, stopped, public IP ${job.value.publicIp}. ${scarce.name} is scarce in ${ZONE}: Scaleway may run out soon`);
  });
});
