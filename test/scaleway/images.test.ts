import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/runtime.js';
import type { ScalewayWorld } from '../support/scaleway.js';
import { dryRun, expectNotApplicable, populatedWorld, refusedBeforeCalling, scalewayDirect } from './support.js';

const GB = 1_000_000_000;
const ZONE = 'fr-par-1';

describe.each(DIALECTS)('Scaleway images on %s', (dialect) => {
  let world: ScalewayWorld;
  let ubuntu: { id: string };
  beforeAll(async () => {
    ({ world, ubuntu } = await populatedWorld(dialect));
  });
  afterAll(() => world.close());

  /** A server of ours, backed up: a managed image with one snapshot (Block for an SBS root, Instance for l_ssd). */
  async function backedUp(fields: Record<string, unknown> = {}) {
    const server = await world.create('ScalewayServer', { name: `dev-img-${Math.random().toString(36).slice(2, 8)}`, serverType: 'DEV1-S', zone: ZONE, serviceProviderId: world.providerId, imageId: ubuntu.id, ...fields });
    expect((await world.run('ScalewayServer', server.id, 'createServer')).status).toBe('succeeded');
    const backup = await world.run('ScalewayServer', server.id, 'backup', { name: `${server.name}-nightly` });
    expect(backup.status, JSON.stringify(backup.error)).toBe('succeeded');
    return world.get('ServerImage', backup.value.recordId);
  }

  /** An image someone else made at Scaleway: a backup of a server we do not know. */
  async function foreignImage(name: string) {
    world.scw.seed({ zone: ZONE, servers: 1, namePrefix: `ops-${name}`, state: 'running' });
    const server = [...world.scw.state.servers.values()].find((s) => s.name.startsWith(`ops-${name}`))!;
    const answer = await scalewayDirect(world).post(`/instance/v1/zones/${ZONE}/servers/${server.id}/action`, { action: 'backup', name });
    expect(answer.status).toBe(202);
    return [...world.scw.state.images.values()].find((image) => image.name === name)!;
  }

  it('imports the project’s own images with their snapshots, not the public catalogue', async () => {
    const ours = await backedUp();
    const theirs = await foreignImage('ops-golden');
    const publicBefore = (await world.list('ServerImage', '&isPublic=true')).length;
    const job = await world.run('ServerImage', null, 'listImages');
    expect(job).toMatchObject({ status: 'succeeded', value: { listed: 2, added: 1, gone: 0 } });
    expect((await world.list('ServerImage', '&isPublic=true')).length).toBe(publicBefore);

    const [imported] = await world.list('ServerImage', `&providerSideId=${theirs.id}`);
    expect(imported).toMatchObject({ name: 'ops-golden', isPublic: false, ownership: 'observed', fromServer: theirs.from_server });
    const snapshots = await world.list('ServerVolume', `&imageId=${imported.id}`);
    expect(snapshots).toEqual([expect.objectContaining({ kind: 'snapshot', isBoot: true, ownership: 'observed', providerSideId: theirs.root_volume!.id })]);
    expect(await world.get('ServerImage', ours.id)).toMatchObject({ ownership: 'managed' });
  });

  it('never deletes a public image, nor an observed one before it is adopted', async () => {
    expectNotApplicable(await refusedBeforeCalling(world, 'ServerImage', ubuntu.id, 'deleteImage'), 'it is a public image of the Scaleway catalogue, not ours to delete');
    expectNotApplicable(await refusedBeforeCalling(world, 'ServerImage', ubuntu.id, 'adopt'), 'public image');
    const theirs = await foreignImage('ops-base');
    await world.run('ServerImage', null, 'listImages');
    const [record] = await world.list('ServerImage', `&providerSideId=${theirs.id}`);
    expectNotApplicable(await refusedBeforeCalling(world, 'ServerImage', record.id, 'deleteImage'), 'only observed: adopt it first');

    const adopted = await world.run('ServerImage', record.id, 'adopt');
    expect(adopted.message).toBe('Adopted the image ops-base with 1 snapshots: it is managed here now');
    expect(await world.list('ServerVolume', `&imageId=${record.id}&ownership=managed`)).toHaveLength(1);
    const deleted = await world.run('ServerImage', record.id, 'deleteImage', { withSnapshots: true });
    expect(deleted.message).toBe('Deleted the image ops-base and its 1 snapshots');
    expect(world.scw.state.images.has(theirs.id)).toBe(false);
    expect(world.scw.state.blockSnapshots.has(theirs.root_volume!.id)).toBe(false);
    expect(await world.list('ServerVolume', `&providerSideId=${theirs.root_volume!.id}`)).toEqual([]);
  });

  it('deletes an image keeping its snapshots as standalone records, which can then be deleted', async () => {
    const image = await backedUp();
    const [snapshot] = await world.list('ServerVolume', `&imageId=${image.id}`);
    expectNotApplicable(await refusedBeforeCalling(world, 'ServerVolume', snapshot.id, 'deleteVolume'), 'it is a snapshot of an image');

    const job = await world.run('ServerImage', image.id, 'deleteImage');
    expect(job).toMatchObject({ status: 'succeeded', message: `Deleted the image ${image.name}; kept 1 snapshots (still billed)` });
    expect(world.scw.state.images.has(image.providerSideId)).toBe(false);
    expect(world.scw.state.blockSnapshots.has(snapshot.providerSideId)).toBe(true);
    expect(await world.get('ServerVolume', snapshot.id)).toMatchObject({ imageId: null, kind: 'snapshot' });

    const mark = world.scw.journal.mark();
    expect((await world.run('ServerVolume', snapshot.id, 'deleteVolume')).status).toBe('succeeded');
    expect(world.scw.journal.mutations(mark)).toEqual([expect.objectContaining({ method: 'DELETE', path: `/block/v1/zones/${ZONE}/snapshots/${snapshot.providerSideId}` })]);
    expect(world.scw.state.blockSnapshots.has(snapshot.providerSideId)).toBe(false);
  });

  it('deletes the snapshots of a local server’s image through the Instance API', async () => {
    const image = await backedUp({ rootVolumeType: 'l_ssd', volumeSize: 20 * GB });
    const [snapshot] = await world.list('ServerVolume', `&imageId=${image.id}`);
    expect(snapshot).toMatchObject({ volumeType: 'l_ssd', kind: 'snapshot' });
    const planned = await dryRun(world, 'ServerImage', image.id, 'deleteImage', { withSnapshots: true });
    expect(planned.value.calls).toEqual([
      { method: 'DELETE', path: `/instance/v1/zones/${ZONE}/images/${image.providerSideId}` },
      { method: 'DELETE', path: `/instance/v1/zones/${ZONE}/snapshots/${snapshot.providerSideId}` },
    ]);
    expect(world.scw.state.images.has(image.providerSideId)).toBe(true);

    const mark = world.scw.journal.mark();
    expect((await world.run('ServerImage', image.id, 'deleteImage', { withSnapshots: true })).status).toBe('succeeded');
    expect(world.scw.journal.mutations(mark).map((r) => `${r.method} ${r.path}`)).toEqual(planned.value.calls.map((c: { method: string; path: string }) => `${c.method} ${c.path}`));
    expect(world.scw.state.snapshots.has(snapshot.providerSideId)).toBe(false);
    expect(await world.list('ServerVolume', `&providerSideId=${snapshot.providerSideId}`)).toEqual([]);
  });

  it('notices images deleted behind its back', async () => {
    const ours = await backedUp();
    const theirs = await foreignImage('ops-temp');
    await world.run('ServerImage', null, 'listImages');
    const scw = scalewayDirect(world);
    for (const id of [ours.providerSideId, theirs.id]) expect((await scw.delete(`/instance/v1/zones/${ZONE}/images/${id}`)).status).toBe(204);
    const job = await world.run('ServerImage', null, 'listImages');
    expect(job.value).toMatchObject({ added: 0, gone: 2 });
    expect(await world.list('ServerImage', `&providerSideId=${theirs.id}`)).toEqual([]);
    expect(await world.get('ServerImage', ours.id)).toMatchObject({ state: 'deleted', ownership: 'managed' });
  });
});
