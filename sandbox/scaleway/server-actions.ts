/**
 * Server actions (`/servers/{id}/action`) and volume attachment (`attach-volume`,
 * `detach-volume`). Actions answer 202 with a placeholder task; clients poll the server (or, for
 * a backup, the image named by `href_result`).
 */
import { Router, type Request } from 'express';
import { SERVER_ACTIONS, VOLUME_TYPES, type Image, type VolumeType } from '../../providers/scaleway/wire.js';
import { createBlockSnapshot } from './block-snapshots.js';
import type { ScalewayContext } from './context.js';
import { invalidRequest } from './errors.js';
import { createImage, snapshotVolume, summaryOf } from './images.js';
import { replyJson } from './reply.js';
import { zoneOf } from './request.js';
import { checkActionAllowed, startPowerTransition, terminate } from './server-lifecycle.js';
import { serverView } from './server-view.js';
import { attachVolume, detachVolume } from './server-volumes.js';
import { serverType } from './servers.js';
import { createSnapshot } from './snapshots.js';
import type { ServerRecord } from './state.js';
import { placeholderTask } from './tasks.js';
import { backupStamp, instanceDate } from './time.js';
import { BodyReader } from './validation.js';

/**
 * `backup`: one snapshot per volume (Instance snapshots of local volumes, Block snapshots of SBS
 * ones) and an image over them, `creating` until the snapshots are done. Production names the
 * image `image_<server>_<YYYY-MM-DD_HH-MM>` by default and each snapshot `<image>_snap_<slot>`.
 */
function backup(ctx: ScalewayContext, server: ServerRecord, name: string | undefined, only: Map<string, VolumeType | undefined> | undefined): Image {
  const { state } = ctx;
  const imageName = name ?? `image_${server.name}_${backupStamp(Date.now())}`;
  const refs = only ? server.volume_refs.filter((ref) => only.has(ref.id)) : server.volume_refs;
  if (refs.length === 0) throw invalidRequest('no volume of the server to back up');
  const owner = { project: server.project, organization: server.organization };
  const snapshotIds = refs.map((ref, slot) => {
    const snapshotName = `${imageName}_snap_${slot}`;
    if (ref.kind === 'block') return createBlockSnapshot(ctx, { name: snapshotName, volume: state.blockVolumes.get(ref.id)!, projectId: server.project }).id;
    const volume = state.volumes.get(ref.id)!;
    const volumeType = only?.get(ref.id) ?? volume.volume_type;
    return createSnapshot(ctx, { zone: server.zone, name: snapshotName, owner, volume, volumeType, size: volume.size }).id;
  });
  const [root, ...extra] = snapshotIds.map((id) => snapshotVolume(ctx, server.zone, id));
  const image = createImage(state, {
    zone: server.zone,
    name: imageName,
    owner,
    arch: server.arch,
    rootVolume: summaryOf(root),
    extraVolumes: Object.fromEntries(extra.map((volume, index) => [String(index + 1), volume])),
    fromServer: server.id,
    state: 'creating',
  });
  server.backup_in_progress = true;
  state.timeline.schedule(`server:${server.id}:backup`, [
    {
      afterMs: ctx.config.transitionMs,
      run: (at) => {
        image.state = 'available';
        image.modification_date = instanceDate(at);
        server.backup_in_progress = false;
      },
    },
  ]);
  return image;
}

/** `volumes: {"<volume id>": {volume_type?}}` of a backup request. */
function readBackupVolumes(body: BodyReader): Map<string, VolumeType | undefined> | undefined {
  const volumes = body.objectMap('volumes');
  return volumes && new Map(volumes.map(([id, template]) => [id, template.oneOf('volume_type', VOLUME_TYPES)]));
}

export function serverActionsRoutes(ctx: ScalewayContext): Router {
  const { state } = ctx;
  const router = Router({ mergeParams: true });
  const findServer = (req: Request) => state.find(state.servers, zoneOf(req), req.params.id, 'instance_server');

  router.get('/servers/:id/action', (req, res) => {
    replyJson(res, 200, { actions: serverView(state, findServer(req)).allowed_actions });
  });

  router.post('/servers/:id/action', (req, res) => {
    const server = findServer(req);
    const body = BodyReader.instance(req.body);
    const action = body.requiredOneOf('action', SERVER_ACTIONS);
    const name = body.string('name');
    const volumes = readBackupVolumes(body);
    body.finish();
    checkActionAllowed(state, server, action);
    let result = `/servers/${server.id}`;
    if (action === 'backup') result = `/images/${backup(ctx, server, name, volumes).id}`;
    else if (action === 'terminate') terminate(ctx, server);
    else if (action !== 'enable_routed_ip') startPowerTransition(ctx, server, action);
    replyJson(res, 202, { task: placeholderTask(server.zone, `/servers/${server.id}/action`, result) });
  });

  router.post('/servers/:id/attach-volume', (req, res) => {
    const server = findServer(req);
    const body = BodyReader.instance(req.body);
    const volumeId = body.requiredString('volume_id');
    body.oneOf('volume_type', ['l_ssd', 'b_ssd', 'sbs_volume'] as const); // the volume says what it is
    const boot = body.boolean('boot') ?? false;
    body.finish();
    attachVolume(ctx, server, volumeId, boot, serverType(server.commercial_type));
    replyJson(res, 200, { server: serverView(state, server) });
  });

  router.post('/servers/:id/detach-volume', (req, res) => {
    const server = findServer(req);
    const body = BodyReader.instance(req.body);
    const volumeId = body.requiredString('volume_id');
    body.finish();
    detachVolume(ctx, server, volumeId);
    replyJson(res, 200, { server: serverView(state, server) });
  });

  return router;
}
