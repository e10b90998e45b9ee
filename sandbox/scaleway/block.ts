/**
 * Block Storage v1 routes (`/block/v1/zones/{zone}`): volumes, snapshots and volume types.
 * Standard API family: `page`/`page_size`, `total_count` in the body, creations answer 200,
 * errors `not_found` (resource `volume`/`snapshot`), `invalid_arguments`, `precondition_failed`.
 */
import { Router, type Request } from 'express';
import type { BlockVolumeType } from '../../providers/scaleway/wire.js';
import { createBlockSnapshot, blockSnapshotView, deleteBlockSnapshot } from './block-snapshots.js';
import { blockVolumeType, blockVolumeView, createBlockVolume, deleteBlockVolume } from './block-volumes.js';
import { BLOCK_SIZE_LIMITS, BLOCK_VOLUME_CLASSES } from './catalogue.js';
import type { ScalewayContext } from './context.js';
import type { ZonedMap } from './state.js';
import { invalidArguments, preconditionFailed, transientState } from './errors.js';
import { itemsOf, standardPage, type Page } from './pagination.js';
import { replyJson, replyNoContent } from './reply.js';
import { hasAnyTag, nameContains, queryList, queryParam, zoneOf } from './request.js';
import { blockDate } from './time.js';
import { BodyReader } from './validation.js';

const PERF_IOPS = BLOCK_VOLUME_CLASSES.map((volumeClass) => volumeClass.perfIops);

interface Listed {
  created_at: string;
  name: string;
  project_id: string;
  tags: string[];
}

/**
 * One page of a volume or snapshot list, with the filters both share (plus `keep`) and their `order_by`
 * (default `created_at_asc`). Records are stored in creation order, so the default order is one pass
 * that counts the matches and keeps only the page's: a page costs the same whatever page it is.
 */
function listed<T extends Listed & { zone: string }>(req: Request, ctx: ScalewayContext, page: Page, keep: (item: T) => boolean, records: ZonedMap<T>): { items: T[]; total: number } {
  const project = queryParam(req, 'project_id');
  const organization = queryParam(req, 'organization_id');
  const name = queryParam(req, 'name');
  const tags = queryList(req, 'tags');
  const matches = (item: T) =>
    (!project || item.project_id === project) &&
    (!organization || organization === ctx.config.organizationId) &&
    nameContains(item.name, name) &&
    hasAnyTag(item.tags, tags) &&
    keep(item);
  const [field, direction] = (queryParam(req, 'order_by') ?? 'created_at_asc').split(/_(?=asc$|desc$)/);
  const zone = records.zone(zoneOf(req));
  if (field !== 'name' && direction !== 'desc') {
    const from = (page.page - 1) * page.size;
    const out: T[] = [];
    let total = 0;
    for (const item of zone) {
      if (!matches(item)) continue;
      if (total >= from && out.length < page.size) out.push(item);
      total++;
    }
    return { items: out, total };
  }
  const key = field === 'name' ? 'name' : 'created_at';
  const sign = direction === 'desc' ? -1 : 1;
  const kept = zone.filter(matches).sort((a, b) => (a[key] < b[key] ? -sign : a[key] > b[key] ? sign : 0));
  return { items: itemsOf(kept, page), total: kept.length };
}

function readPerfIops(body: BodyReader): number | undefined {
  const perfIops = body.integer('perf_iops');
  if (perfIops !== undefined && !PERF_IOPS.includes(perfIops as 5000 | 15000)) body.reject('perf_iops', `must be one of ${PERF_IOPS.join(', ')}`);
  return perfIops;
}

function volumeTypes(): BlockVolumeType[] {
  return BLOCK_VOLUME_CLASSES.map((volumeClass) => ({
    type: volumeClass.type,
    pricing: { currency_code: 'EUR', units: 0, nanos: volumeClass.nanosPerGbHour },
    snapshot_pricing: { currency_code: 'EUR', units: 0, nanos: 50_000 },
    specs: { perf_iops: volumeClass.perfIops, class: 'sbs' },
  }));
}

export function blockRoutes(ctx: ScalewayContext): Router {
  const { state } = ctx;
  const router = Router({ mergeParams: true });
  const findVolume = (req: Request) => state.find(state.blockVolumes, zoneOf(req), req.params.id, 'volume');
  const findSnapshot = (req: Request) => state.find(state.blockSnapshots, zoneOf(req), req.params.id, 'snapshot');

  router.get('/volume-types', (req, res) => {
    const types = volumeTypes();
    replyJson(res, 200, { volume_types: itemsOf(types, standardPage(req)), total_count: types.length });
  });

  router.get('/volumes', (req, res) => {
    const page = standardPage(req);
    const resourceId = queryParam(req, 'product_resource_id');
    const type = queryParam(req, 'volume_type');
    const volumes = listed(
      req,
      ctx,
      page,
      (volume) => (!type || volume.type === type) && (!resourceId || volume.references.some((ref) => ref.product_resource_id === resourceId)),
      state.blockVolumes,
    );
    replyJson(res, 200, { volumes: volumes.items.map(blockVolumeView), total_count: volumes.total });
  });

  router.post('/volumes', (req, res) => {
    const body = BodyReader.standard(req.body);
    const name = body.string('name');
    const perfIops = readPerfIops(body);
    const projectId = body.string('project_id') ?? ctx.config.projectId;
    const tags = body.strings('tags');
    const fromEmpty = body.object('from_empty');
    const fromSnapshot = body.object('from_snapshot');
    if (!fromEmpty === !fromSnapshot) body.reject('from_empty', 'exactly one of from_empty and from_snapshot must be set');
    const emptySize = fromEmpty?.requiredInteger('size', BLOCK_SIZE_LIMITS);
    const snapshotId = fromSnapshot?.requiredString('snapshot_id');
    const snapshotSize = fromSnapshot?.integer('size', BLOCK_SIZE_LIMITS);
    body.finish();
    const parent = snapshotId ? state.find(state.blockSnapshots, zoneOf(req), snapshotId, 'snapshot') : undefined;
    // exactly one of from_empty (with its required size) and from_snapshot passed validation
    const size = parent ? (snapshotSize ?? parent.size) : emptySize!;
    if (parent && size < parent.size) {
      throw invalidArguments([{ argument_name: 'from_snapshot.size', reason: 'constraint', help_message: 'must not be smaller than the snapshot' }]);
    }
    const volume = createBlockVolume(
      ctx,
      { zone: zoneOf(req), name, size, perfIops, projectId, tags, parentSnapshotId: parent?.id },
      { immediate: false },
    );
    replyJson(res, 200, blockVolumeView(volume));
  });

  router.get('/volumes/:id', (req, res) => {
    replyJson(res, 200, blockVolumeView(findVolume(req)));
  });

  router.patch('/volumes/:id', (req, res) => {
    const volume = findVolume(req);
    const body = BodyReader.standard(req.body);
    const name = body.string('name');
    const tags = body.strings('tags');
    const size = body.integer('size', { min: volume.size, max: BLOCK_SIZE_LIMITS.max });
    const perfIops = readPerfIops(body);
    body.finish();
    volume.name = name ?? volume.name;
    volume.tags = tags ?? volume.tags;
    volume.size = size ?? volume.size;
    if (perfIops !== undefined) {
      volume.specs.perf_iops = perfIops;
      volume.type = blockVolumeType(perfIops);
    }
    volume.updated_at = blockDate();
    replyJson(res, 200, blockVolumeView(volume));
  });

  router.delete('/volumes/:id', (req, res) => {
    const volume = findVolume(req);
    if (volume.references.length) throw preconditionFailed('resource_still_in_use', 'the volume is attached to a server');
    if (volume.status === 'creating') throw transientState('volume', volume.id, volume.status);
    deleteBlockVolume(state, volume);
    replyNoContent(res);
  });

  router.get('/snapshots', (req, res) => {
    const page = standardPage(req);
    const volumeId = queryParam(req, 'volume_id');
    const snapshots = listed(req, ctx, page, (snapshot) => !volumeId || snapshot.parent_volume_id === volumeId, state.blockSnapshots);
    replyJson(res, 200, { snapshots: snapshots.items.map((snapshot) => blockSnapshotView(state, snapshot)), total_count: snapshots.total });
  });

  router.post('/snapshots', (req, res) => {
    const body = BodyReader.standard(req.body);
    const volumeId = body.requiredString('volume_id');
    const name = body.string('name');
    const projectId = body.string('project_id') ?? ctx.config.projectId;
    const tags = body.strings('tags');
    body.finish();
    const volume = state.find(state.blockVolumes, zoneOf(req), volumeId, 'volume');
    if (volume.status === 'creating') throw transientState('volume', volume.id, volume.status);
    replyJson(res, 200, blockSnapshotView(state, createBlockSnapshot(ctx, { name, volume, projectId, tags })));
  });

  router.get('/snapshots/:id', (req, res) => {
    replyJson(res, 200, blockSnapshotView(state, findSnapshot(req)));
  });

  router.patch('/snapshots/:id', (req, res) => {
    const snapshot = findSnapshot(req);
    const body = BodyReader.standard(req.body);
    const name = body.string('name');
    const tags = body.strings('tags');
    body.finish();
    snapshot.name = name ?? snapshot.name;
    snapshot.tags = tags ?? snapshot.tags;
    snapshot.updated_at = blockDate();
    replyJson(res, 200, blockSnapshotView(state, snapshot));
  });

  router.delete('/snapshots/:id', (req, res) => {
    const snapshot = findSnapshot(req);
    if (snapshot.references.length) throw preconditionFailed('resource_still_in_use', 'an image is built on the snapshot');
    deleteBlockSnapshot(state, snapshot);
    replyNoContent(res);
  });

  return router;
}
