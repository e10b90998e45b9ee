/**
 * Instance images (`/images`): the public Marketplace builds, and the project's own images built
 * from snapshots (`POST /images`) or by a server backup (`creating`, then `available`). An image
 * on a Block snapshot holds a `link` reference to it until the image is deleted.
 */
import { Router, type Request } from 'express';
import { ARCHES, type Arch, type Image, type ImageState, type Volume, type VolumeSummary } from '../../providers/scaleway/wire.js';
import { addReference, dropReference } from './block-volumes.js';
import { checkQuota, ownerOf, type Owner, type ScalewayContext } from './context.js';
import { notFound, permissionsDenied } from './errors.js';
import { newId } from './ids.js';
import { replyInstanceList } from './pagination.js';
import { replyJson, replyNoContent } from './reply.js';
import { instanceFilters, queryBoolean, queryParam, zoneOf } from './request.js';
import { snapshotAsVolume } from './snapshots.js';
import type { ScalewayState } from './state.js';
import { instanceDate } from './time.js';
import { BodyReader } from './validation.js';

export interface NewImage {
  zone: string;
  name?: string;
  owner: Owner;
  arch: Arch;
  rootVolume: VolumeSummary;
  extraVolumes?: Record<string, Volume>;
  public?: boolean;
  tags?: string[];
  fromServer?: string;
  state: ImageState;
}

export const summaryOf = (volume: Volume): VolumeSummary => ({ id: volume.id, name: volume.name, volume_type: volume.volume_type, size: volume.size });

/** An image's root as a Block snapshot shows it: no size, no name. */
export const blockSnapshotSummary = (id: string): VolumeSummary => ({ volume_type: 'sbs_snapshot', id, size: 0, name: '' });

export function createImage(state: ScalewayState, input: NewImage): Image {
  const date = instanceDate();
  const id = newId();
  const image: Image = {
    id,
    name: input.name ?? `image-${id.slice(0, 8)}`,
    organization: input.owner.organization,
    project: input.owner.project,
    root_volume: input.rootVolume,
    extra_volumes: input.extraVolumes ?? {},
    public: input.public ?? false,
    arch: input.arch,
    creation_date: date,
    modification_date: date,
    default_bootscript: null,
    from_server: input.fromServer ?? '',
    state: input.state,
    tags: input.tags ?? [],
    zone: input.zone,
  };
  state.images.set(id, image);
  const at = Date.now();
  for (const volume of [input.rootVolume, ...Object.values(image.extra_volumes)]) {
    const blockSnapshot = state.blockSnapshots.get(volume.id);
    if (blockSnapshot) addReference(blockSnapshot, 'instance_image', id, at);
  }
  return image;
}

/** The volume an image is built on: an Instance snapshot or a Block snapshot of the zone. */
export function snapshotVolume(ctx: ScalewayContext, zone: string, id: string): Volume {
  const snapshot = ctx.state.snapshots.get(id);
  if (snapshot?.zone === zone) return snapshotAsVolume(snapshot);
  const blockSnapshot = ctx.state.blockSnapshots.get(id);
  if (blockSnapshot?.zone !== zone) throw notFound('instance_snapshot', id);
  return {
    ...blockSnapshotSummary(id),
    export_uri: null,
    organization: ctx.config.organizationId,
    project: blockSnapshot.project_id,
    server: null,
    state: 'available',
    creation_date: instanceDate(Date.parse(blockSnapshot.created_at)),
    modification_date: instanceDate(Date.parse(blockSnapshot.updated_at)),
    tags: [],
    zone,
  };
}

/** `extra_volumes: {"1": {id}}` as `[index, snapshot id]` pairs. */
function readExtraVolumeIds(body: BodyReader): Array<[string, string]> | undefined {
  return body.objectMap('extra_volumes')?.map(([index, volume]) => [index, volume.requiredString('id')]);
}

function extraVolumes(ctx: ScalewayContext, zone: string, ids: Array<[string, string]>): Record<string, Volume> {
  return Object.fromEntries(ids.map(([index, id]) => [index, snapshotVolume(ctx, zone, id)]));
}

export function imagesRoutes(ctx: ScalewayContext): Router {
  const { state } = ctx;
  const router = Router({ mergeParams: true });
  const findImage = (req: Request) => state.find(state.images, zoneOf(req), req.params.id, 'instance_image');

  router.get('/images', (req, res) => {
    const owned = instanceFilters<Image>(req, (image) => image.name);
    const isPublic = queryBoolean(req, 'public');
    const arch = queryParam(req, 'arch');
    const images = state.inZone(state.images, zoneOf(req)).filter(
      (image) => owned(image) && (isPublic === undefined || image.public === isPublic) && (!arch || image.arch === arch),
    );
    replyInstanceList(req, res, 'images', images);
  });

  router.post('/images', (req, res) => {
    const zone = zoneOf(req);
    const body = BodyReader.instance(req.body);
    const name = body.string('name');
    const rootId = body.requiredString('root_volume');
    const arch = body.requiredOneOf('arch', ARCHES);
    const owner = ownerOf(ctx, { project: body.string('project'), organization: body.string('organization') });
    const tags = body.strings('tags');
    const isPublic = body.boolean('public');
    const extraIds = readExtraVolumeIds(body);
    body.finish();
    const root = snapshotVolume(ctx, zone, rootId);
    const extra = extraIds && extraVolumes(ctx, zone, extraIds);
    checkQuota(ctx, 'images', owner.project);
    const image = createImage(state, { zone, name, owner, arch, rootVolume: summaryOf(root), extraVolumes: extra, public: isPublic, tags, state: 'available' });
    replyJson(res, 201, { image });
  });

  router.get('/images/:id', (req, res) => {
    replyJson(res, 200, { image: findImage(req) });
  });

  router.patch('/images/:id', (req, res) => {
    const image = findImage(req);
    const body = BodyReader.instance(req.body);
    const name = body.string('name');
    const arch = body.oneOf('arch', ARCHES);
    const tags = body.strings('tags');
    const isPublic = body.boolean('public');
    const extraIds = readExtraVolumeIds(body);
    body.finish();
    Object.assign(image, {
      name: name ?? image.name,
      arch: arch ?? image.arch,
      tags: tags ?? image.tags,
      public: isPublic ?? image.public,
      extra_volumes: extraIds ? extraVolumes(ctx, image.zone, extraIds) : image.extra_volumes,
      modification_date: instanceDate(),
    });
    replyJson(res, 200, { image });
  });

  router.delete('/images/:id', (req, res) => {
    const image = findImage(req);
    if (image.organization !== ctx.config.organizationId) throw permissionsDenied('instance_image', 'delete');
    const at = Date.now();
    for (const volume of [image.root_volume, ...Object.values(image.extra_volumes)]) {
      const blockSnapshot = volume && state.blockSnapshots.get(volume.id);
      if (blockSnapshot) dropReference(blockSnapshot, image.id, at);
    }
    state.images.delete(image.id);
    replyNoContent(res);
  });

  return router;
}
