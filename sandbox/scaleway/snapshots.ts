/**
 * Instance snapshots (`/snapshots`) of local volumes: `snapshotting` (the volume too) then
 * `available`; imports from Object Storage go through `importing`, exports through `exporting`.
 * Snapshots of SBS volumes are Block snapshots (`block-snapshots.ts`).
 */
import { Router, type Request } from 'express';
import type { Snapshot, SnapshotState, Volume, VolumeType } from '../../providers/scaleway/wire.js';
import { checkQuota, ownerOf, type Owner, type ScalewayContext } from './context.js';
import { invalidRequest, transientState } from './errors.js';
import { newId } from './ids.js';
import { replyInstanceList } from './pagination.js';
import { replyJson, replyNoContent } from './reply.js';
import { instanceFilters, queryParam, zoneOf } from './request.js';
import type { VolumeRecord } from './state.js';
import { placeholderTask } from './tasks.js';
import { instanceDate } from './time.js';
import { BodyReader } from './validation.js';
import { checkVolumeSize } from './volumes.js';

export interface NewSnapshot {
  zone: string;
  name?: string;
  owner: Owner;
  tags?: string[];
  /** The snapshotted volume; absent for an import. */
  volume?: VolumeRecord;
  volumeType: VolumeType;
  size: number;
}

/** Creates a snapshot and schedules its completion; a snapshotted volume is busy meanwhile. */
export function createSnapshot(ctx: ScalewayContext, input: NewSnapshot): Snapshot {
  const date = instanceDate();
  const id = newId();
  const snapshot: Snapshot = {
    id,
    name: input.name ?? `snp-${id.slice(0, 8)}`,
    organization: input.owner.organization,
    project: input.owner.project,
    tags: input.tags ?? [],
    volume_type: input.volumeType,
    size: input.size,
    state: input.volume ? 'snapshotting' : 'importing',
    base_volume: input.volume ? { id: input.volume.id, name: input.volume.name } : null,
    creation_date: date,
    modification_date: date,
    error_reason: null,
    zone: input.zone,
  };
  ctx.state.snapshots.set(id, snapshot);
  const volume = input.volume;
  if (volume) volume.state = 'snapshotting';
  ctx.state.timeline.schedule(`snapshot:${id}`, [
    {
      afterMs: ctx.config.transitionMs,
      run: (at) => {
        settleSnapshot(snapshot, at);
        if (volume) volume.state = 'available';
      },
    },
  ]);
  return snapshot;
}

function settleSnapshot(snapshot: Snapshot, at: number, state: SnapshotState = 'available'): void {
  snapshot.state = state;
  snapshot.modification_date = instanceDate(at);
}

/** A snapshot in the shape of a volume, as images list their extra volumes. */
export function snapshotAsVolume(snapshot: Snapshot): Volume {
  return {
    id: snapshot.id,
    name: snapshot.name,
    volume_type: snapshot.volume_type,
    export_uri: null,
    organization: snapshot.organization,
    project: snapshot.project,
    server: null,
    size: snapshot.size,
    state: 'available',
    creation_date: snapshot.creation_date,
    modification_date: snapshot.modification_date,
    tags: [],
    zone: snapshot.zone,
  };
}

export function snapshotsRoutes(ctx: ScalewayContext): Router {
  const { state } = ctx;
  const router = Router({ mergeParams: true });
  const findSnapshot = (req: Request) => state.find(state.snapshots, zoneOf(req), req.params.id, 'instance_snapshot');
  const usedByImage = (snapshot: Snapshot) =>
    [...state.images.values()].some((image) => image.root_volume?.id === snapshot.id || Object.values(image.extra_volumes).some((volume) => volume.id === snapshot.id));

  router.get('/snapshots', (req, res) => {
    const owned = instanceFilters<Snapshot>(req, (snapshot) => snapshot.name);
    const baseVolume = queryParam(req, 'base_volume_id');
    const snapshots = state.inZone(state.snapshots, zoneOf(req)).filter((snapshot) => owned(snapshot) && (!baseVolume || snapshot.base_volume?.id === baseVolume));
    replyInstanceList(req, res, 'snapshots', snapshots);
  });

  router.post('/snapshots', (req, res) => {
    const zone = zoneOf(req);
    const body = BodyReader.instance(req.body);
    const name = body.string('name');
    const volumeId = body.string('volume_id');
    const tags = body.strings('tags');
    const owner = ownerOf(ctx, { project: body.string('project'), organization: body.string('organization') });
    const bucket = body.string('bucket');
    const key = body.string('key');
    const size = body.integer('size', { min: 1 });
    if (!volumeId && !(bucket && key && size)) body.reject('volume_id', 'give volume_id, or bucket, key and size to import');
    body.finish();
    const volume = volumeId ? state.find(state.volumes, zone, volumeId, 'instance_volume') : undefined;
    if (volume && volume.state !== 'available') throw transientState('instance_volume', volume.id, volume.state);
    if (!volume) checkVolumeSize('l_ssd', size!);
    checkQuota(ctx, 'snapshots', owner.project);
    const snapshot = createSnapshot(ctx, { zone, name, owner, tags, volume, volumeType: volume?.volume_type ?? 'l_ssd', size: volume?.size ?? size! });
    replyJson(res, 201, { snapshot, task: placeholderTask(zone, '/snapshots', `/snapshots/${snapshot.id}`) });
  });

  router.get('/snapshots/:id', (req, res) => {
    replyJson(res, 200, { snapshot: findSnapshot(req) });
  });

  router.patch('/snapshots/:id', (req, res) => {
    const snapshot = findSnapshot(req);
    const body = BodyReader.instance(req.body);
    const name = body.string('name');
    const tags = body.strings('tags');
    body.finish();
    snapshot.name = name ?? snapshot.name;
    snapshot.tags = tags ?? snapshot.tags;
    snapshot.modification_date = instanceDate();
    replyJson(res, 200, { snapshot });
  });

  router.post('/snapshots/:id/export', (req, res) => {
    const snapshot = findSnapshot(req);
    const body = BodyReader.instance(req.body);
    body.requiredString('bucket');
    body.requiredString('key');
    body.finish();
    if (snapshot.state !== 'available') throw transientState('instance_snapshot', snapshot.id, snapshot.state);
    settleSnapshot(snapshot, Date.now(), 'exporting');
    state.timeline.schedule(`snapshot:${snapshot.id}`, [{ afterMs: ctx.config.transitionMs, run: (at) => settleSnapshot(snapshot, at) }]);
    replyJson(res, 202, { task: placeholderTask(snapshot.zone, `/snapshots/${snapshot.id}/export`, `/snapshots/${snapshot.id}`) });
  });

  router.delete('/snapshots/:id', (req, res) => {
    const snapshot = findSnapshot(req);
    if (snapshot.state !== 'available' && snapshot.state !== 'error') throw transientState('instance_snapshot', snapshot.id, snapshot.state);
    if (usedByImage(snapshot)) throw invalidRequest('the snapshot is used by an image');
    state.snapshots.delete(snapshot.id);
    replyNoContent(res);
  });

  return router;
}
