/**
 * The root volume of a new server (slot 0 of its create request), from an image or from a volume or
 * snapshot, checked against the server type before anything is sent. Used by createServer.
 */
import { ActionError, type ActionContext } from 'mv-infra/core';
import { ownerTag } from '../../entities/provider-resource.js';
import type { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerVolume } from '../../entities/server-volume.js';
import type { ScalewayApi } from '../../providers/scaleway/client.js';
import { withOwnerTag } from '../../providers/scaleway/mapping.js';
import { block } from '../../providers/scaleway/paths.js';
import { VOLUME_WAIT_MS } from '../../providers/scaleway/timeouts.js';
import { waitForVolume } from '../../providers/scaleway/waiters.js';
import type { CreateBlockVolumeRequest, ServerType, VolumeServerTemplate } from '../../providers/scaleway/wire.js';
import { checkSize } from './create-volume.js';
import type { PlannedCall } from './dry-run.js';
import { findOrCreate } from './find-or-create.js';
import { requireManaged } from './ownership.js';
import { GB, gb } from './units.js';
import { attachedType, isBlock } from './volume-apis.js';

const DEFAULT_BLOCK_SIZE = 10 * GB;

/**
 * The root volume an image boots on: local volumes must fit the type's local storage; a Block one needs a
 * type that supports Block Storage and a size within Block Storage's bounds (those createVolume applies).
 */
export async function rootFromImage(api: ScalewayApi, zone: string, server: ScalewayServer, type: ServerType): Promise<VolumeServerTemplate> {
  if (server.rootVolumeType === 'sbs_volume') {
    requireBlockStorage(server.serverType, type, 'rootVolumeType', 'choose an l_ssd root volume');
    const size = server.volumeSize ?? DEFAULT_BLOCK_SIZE;
    // createVolume's own check; here the field at fault is the server's root size.
    await checkSize(api, zone, 'sbs_volume', size).catch((error: unknown) => {
      throw error instanceof ActionError ? new ActionError(error.message, { field: 'volumeSize' }) : error;
    });
    return { boot: true, size, volume_type: 'sbs_volume' };
  }
  const { min_size: min, max_size: max } = type.volumes_constraint;
  if (max === 0) throw new ActionError(`${server.serverType} has no local storage: use a Block Storage (sbs_volume) root volume`, { field: 'rootVolumeType' });
  // Without a size, the smallest the type accepts for one local volume.
  const size = server.volumeSize ?? (Math.max(min, type.per_volume_constraint?.l_ssd?.min_size ?? 0) || max);
  checkLocalSize(server.serverType, type, size, 'the root volume', 'volumeSize');
  return { boot: true, size, volume_type: server.rootVolumeType };
}

/**
 * What a server boots from instead of an image ("from scratch"), checked against its type before any call:
 * an existing volume (by its id), an l_ssd snapshot (the `base_snapshot` of a new local volume, as the
 * Instance API takes it), or an SBS snapshot, which the Block API first turns into a volume (`restore`,
 * see restoreBlockVolume) that the server then takes by its id.
 */
export interface BootSource {
  root: VolumeServerTemplate;
  restore?: CreateBlockVolumeRequest;
}

export async function bootSource(ctx: ActionContext<ScalewayServer>, type: ServerType, project: string | undefined): Promise<BootSource> {
  const server = ctx.record;
  const field = 'fromVolumeId';
  const source = await ctx.repo(ServerVolume).findOneBy({ id: ctx.params.fromVolumeId as string });
  if (!source?.providerSideId) throw new ActionError('The volume to boot from does not exist at Scaleway', { field });
  const what = `The ${source.kind} ${source.name}`;
  requireManaged(source, what, field);
  // Attached to this server: an earlier attempt created it and recorded it before its id was kept.
  if (source.serverId && source.serverId !== server.id) throw new ActionError(`${what} is attached to another server`, { field });
  if (source.volumeType === 'scratch') throw new ActionError(`${what} is a scratch volume: a server cannot boot from it`, { field });

  if (isBlock(source)) requireBlockStorage(server.serverType, type, field, 'boot it from a local volume or an image');
  else {
    if (type.volumes_constraint.max_size === 0) throw new ActionError(`${server.serverType} has no local storage: it cannot boot from the local ${source.kind} ${source.name}`, { field });
    if (source.size !== null) checkLocalSize(server.serverType, type, source.size, source.name, field);
  }

  if (source.kind === 'volume') return { root: { id: source.providerSideId, boot: true, volume_type: attachedType(source) } };
  if (!isBlock(source)) return { root: { base_snapshot: source.providerSideId, boot: true, volume_type: 'l_ssd', ...(source.size !== null && { size: source.size }) } };
  return {
    root: { boot: true, volume_type: 'sbs_volume' },
    // Tagged with the server record's id: a retry finds the volume an earlier attempt made.
    restore: { name: `${server.name}-root`, project_id: project, tags: withOwnerTag([], server.id), from_snapshot: { snapshot_id: source.providerSideId } },
  };
}

/** The call a dry run lists before the server's create, for an SBS snapshot. */
export const restoreCall = (zone: string, body: CreateBlockVolumeRequest): PlannedCall => ({ method: 'POST', path: block(zone, '/volumes'), body });

/**
 * Makes the Block volume an SBS snapshot boots from (or adopts the one an earlier attempt made) and waits
 * until it is usable: the Instance API takes only an available volume. Returns its id.
 */
export async function restoreBlockVolume(ctx: ActionContext<ScalewayServer>, api: ScalewayApi, zone: string, body: CreateBlockVolumeRequest): Promise<string> {
  const tag = ownerTag(ctx.record.id);
  const volume = await findOrCreate(ctx, {
    kind: 'volume',
    name: body.name ?? 'the root volume',
    find: async () => (await api.block.listVolumes(zone, { tags: [tag] }))[0],
    create: () => api.block.createVolume(zone, body),
    progress: { creating: 10, found: 12 },
  });
  await ctx.progress(14, `Waiting for ${volume.name} to be available`);
  await waitForVolume(api, zone, { id: volume.id, block: true }, { timeoutMs: VOLUME_WAIT_MS, signal: ctx.signal });
  return volume.id;
}

function requireBlockStorage(typeName: string, type: ServerType, field: string, instead: string): void {
  if (type.capabilities && !type.capabilities.block_storage) throw new ActionError(`${typeName} cannot boot from Block Storage: ${instead}`, { field });
}

/** The type's local volumes must total between its bounds. */
function checkLocalSize(typeName: string, type: ServerType, size: number, what: string, field: string): void {
  const { min_size: min, max_size: max } = type.volumes_constraint;
  if (size < min || size > max) throw new ActionError(`${typeName} needs local volumes totalling ${gb(min)} to ${gb(max)}; ${what} is ${gb(size)}`, { field });
}
