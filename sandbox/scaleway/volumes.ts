/**
 * Instance volumes (`/volumes`): the local ones, `l_ssd` and `scratch`. SBS volumes belong to the
 * Block API: asking the Instance API for one answers 404 `instance_volume`, as production does.
 */
import { Router, type Request } from 'express';
import { VOLUME_TYPES, type Volume, type VolumeType } from '../../providers/scaleway/wire.js';
import { INSTANCE_VOLUME_TYPES } from './catalogue.js';
import { checkQuota, ownerOf, type Owner, type ScalewayContext } from './context.js';
import { invalidRequest, transientState } from './errors.js';
import { newId } from './ids.js';
import { replyInstanceList } from './pagination.js';
import { replyJson, replyNoContent } from './reply.js';
import { instanceFilters, queryParam, zoneOf } from './request.js';
import type { ScalewayState, VolumeRecord } from './state.js';
import { instanceDate } from './time.js';
import { BodyReader } from './validation.js';

/** Volume types the Instance API creates; the others are Block volumes or retired. */
export const LOCAL_VOLUME_TYPES = ['l_ssd', 'scratch'] as const;
export type LocalVolumeType = (typeof LOCAL_VOLUME_TYPES)[number];

export const isLocalVolumeType = (type: VolumeType): type is LocalVolumeType => (LOCAL_VOLUME_TYPES as readonly string[]).includes(type);

export interface NewLocalVolume {
  zone: string;
  name?: string;
  type: LocalVolumeType;
  size: number;
  owner: Owner;
  tags?: string[];
  serverId?: string;
}

export function createLocalVolume(state: ScalewayState, input: NewLocalVolume): VolumeRecord {
  const date = instanceDate();
  const id = newId();
  const volume: VolumeRecord = {
    id,
    name: input.name ?? `vol-${id.slice(0, 8)}`,
    volume_type: input.type,
    export_uri: null,
    organization: input.owner.organization,
    project: input.owner.project,
    server_id: input.serverId ?? null,
    size: input.size,
    state: 'available',
    creation_date: date,
    modification_date: date,
    tags: input.tags ?? [],
    zone: input.zone,
  };
  state.volumes.set(volume.id, volume);
  return volume;
}

export function volumeView(state: ScalewayState, volume: VolumeRecord): Volume {
  const { server_id: serverId, ...rest } = volume;
  const server = serverId ? state.servers.get(serverId) : undefined;
  return { ...rest, tags: [...volume.tags], server: server ? { id: server.id, name: server.name } : null };
}

/** Refuses a size outside the type's bounds or not a multiple of 512 bytes. */
export function checkVolumeSize(type: LocalVolumeType, size: number, field = 'size'): void {
  const { min, max } = INSTANCE_VOLUME_TYPES[type].constraints;
  if (size % 512 !== 0) throw invalidRequest('Validation Error', { [field]: ['size must be a multiple of 512'] });
  if (size < min || size > max) throw invalidRequest('Validation Error', { [field]: [`size must be between ${min} and ${max} bytes for ${type}`] });
}

function refuseNonLocal(type: VolumeType): asserts type is LocalVolumeType {
  if (isLocalVolumeType(type)) return;
  const reason = type === 'sbs_volume' || type === 'sbs_snapshot' ? 'is managed by the Block Storage API' : 'is not available anymore';
  throw invalidRequest(`volume type ${type} ${reason}`);
}

export function volumesRoutes(ctx: ScalewayContext): Router {
  const { state } = ctx;
  const router = Router({ mergeParams: true });
  const findVolume = (req: Request) => state.find(state.volumes, zoneOf(req), req.params.id, 'instance_volume');

  router.get('/volumes', (req, res) => {
    const owned = instanceFilters<VolumeRecord>(req, (volume) => volume.name);
    const type = queryParam(req, 'volume_type');
    const volumes = state.inZone(state.volumes, zoneOf(req)).filter((volume) => owned(volume) && (!type || volume.volume_type === type));
    replyInstanceList(req, res, 'volumes', volumes, (volume) => volumeView(state, volume));
  });

  router.post('/volumes', (req, res) => {
    const body = BodyReader.instance(req.body);
    const name = body.string('name');
    const owner = ownerOf(ctx, { project: body.string('project'), organization: body.string('organization') });
    const tags = body.strings('tags');
    const type = body.oneOf('volume_type', VOLUME_TYPES) ?? 'l_ssd';
    const size = body.integer('size', { min: 1 });
    const baseSnapshot = body.string('base_snapshot');
    if ((size === undefined) === (baseSnapshot === undefined)) body.reject('size', 'one of size and base_snapshot must be set');
    body.finish();
    refuseNonLocal(type);
    const snapshot = baseSnapshot ? state.find(state.snapshots, zoneOf(req), baseSnapshot, 'instance_snapshot') : undefined;
    const finalSize = size ?? snapshot!.size;
    checkVolumeSize(type, finalSize);
    checkQuota(ctx, 'volumes', owner.project);
    const volume = createLocalVolume(state, { zone: zoneOf(req), name, type, size: finalSize, owner, tags });
    replyJson(res, 201, { volume: volumeView(state, volume) });
  });

  router.get('/volumes/:id', (req, res) => {
    replyJson(res, 200, { volume: volumeView(state, findVolume(req)) });
  });

  router.patch('/volumes/:id', (req, res) => {
    const volume = findVolume(req);
    const body = BodyReader.instance(req.body);
    const name = body.string('name');
    const tags = body.strings('tags');
    const size = body.integer('size', { min: volume.size });
    body.finish();
    if (size !== undefined && size !== volume.size) {
      if (volume.volume_type !== 'l_ssd') throw invalidRequest(`a ${volume.volume_type} volume cannot be resized`);
      checkVolumeSize('l_ssd', size);
      volume.size = size;
    }
    volume.name = name ?? volume.name;
    volume.tags = tags ?? volume.tags;
    volume.modification_date = instanceDate();
    replyJson(res, 200, { volume: volumeView(state, volume) });
  });

  router.delete('/volumes/:id', (req, res) => {
    const volume = findVolume(req);
    if (volume.state !== 'available') throw transientState('instance_volume', volume.id, volume.state);
    if (volume.server_id) throw invalidRequest('a volume attached to a server cannot be deleted');
    state.volumes.delete(volume.id);
    replyNoContent(res);
  });

  return router;
}
