/**
 * Block Storage (SBS) volumes: created `creating`, `available` after a transition, shown `in_use`
 * while a server holds them. Servers with SBS volumes attach and detach them here.
 */
import type { BlockReference, BlockVolume, BlockVolumeStatus } from '../../providers/scaleway/wire.js';
import { BLOCK_VOLUME_CLASSES, DEFAULT_BLOCK_IOPS } from './catalogue.js';
import type { ScalewayContext } from './context.js';
import { newId } from './ids.js';
import type { ScalewayState } from './state.js';
import { blockDate } from './time.js';

export interface NewBlockVolume {
  zone: string;
  name?: string;
  size: number;
  perfIops?: number;
  projectId: string;
  tags?: string[];
  parentSnapshotId?: string | null;
}

/** The volume type of an IOPS class (`sbs_5k`, `sbs_15k`); callers validate `perfIops` first. */
export function blockVolumeType(perfIops: number): string {
  return BLOCK_VOLUME_CLASSES.find((volumeClass) => volumeClass.perfIops === perfIops)!.type;
}

interface Referenced {
  references: BlockReference[];
  updated_at: string;
}

/** Records that an Instance resource uses a Block volume or snapshot: `exclusive` for a server, `link` for an image. */
export function addReference(target: Referenced, resourceType: 'instance_server' | 'instance_image', resourceId: string, at: number): void {
  target.references.push({
    id: newId(),
    product_resource_type: resourceType,
    product_resource_id: resourceId,
    created_at: blockDate(at),
    type: resourceType === 'instance_server' ? 'exclusive' : 'link',
    status: 'attached',
  });
  target.updated_at = blockDate(at);
}

export function dropReference(target: Referenced, resourceId: string, at: number): void {
  target.references = target.references.filter((reference) => reference.product_resource_id !== resourceId);
  target.updated_at = blockDate(at);
}

/**
 * Creates a volume. A volume made for a server at its creation is usable at once; one created
 * through the Block API goes through `creating` first.
 */
export function createBlockVolume(ctx: ScalewayContext, input: NewBlockVolume, options: { immediate: boolean }): BlockVolume {
  const now = Date.now();
  const perfIops = input.perfIops ?? DEFAULT_BLOCK_IOPS;
  const id = newId();
  const volume: BlockVolume = {
    id,
    name: input.name ?? `vol-${id.slice(0, 8)}`,
    type: blockVolumeType(perfIops),
    size: input.size,
    project_id: input.projectId,
    created_at: blockDate(now),
    updated_at: blockDate(now),
    references: [],
    parent_snapshot_id: input.parentSnapshotId ?? null,
    status: options.immediate ? 'available' : 'creating',
    tags: input.tags ?? [],
    specs: { perf_iops: perfIops, class: 'sbs' },
    last_detached_at: null,
    kms_key_id: null,
    zone: input.zone,
  };
  ctx.state.blockVolumes.set(volume.id, volume);
  if (!options.immediate) {
    ctx.state.timeline.schedule(`block-volume:${volume.id}`, [
      { afterMs: ctx.config.transitionMs, run: (at) => settle(volume, 'available', at) },
    ]);
  }
  return volume;
}

function settle(volume: BlockVolume, status: BlockVolumeStatus, at: number): void {
  volume.status = status;
  volume.updated_at = blockDate(at);
}

/** Production reports an available volume that a server holds as `in_use`. */
export function blockVolumeStatus(volume: BlockVolume): BlockVolumeStatus {
  return volume.status === 'available' && volume.references.length > 0 ? 'in_use' : volume.status;
}

export function blockVolumeView(volume: BlockVolume): BlockVolume {
  return { ...volume, status: blockVolumeStatus(volume), references: volume.references.map((reference) => ({ ...reference })) };
}

export function attachBlockVolume(volume: BlockVolume, serverId: string, at: number): void {
  addReference(volume, 'instance_server', serverId, at);
}

export function detachBlockVolume(volume: BlockVolume, serverId: string, at: number): void {
  dropReference(volume, serverId, at);
  volume.last_detached_at = blockDate(at);
}

export function deleteBlockVolume(state: ScalewayState, volume: BlockVolume): void {
  state.timeline.cancel(`block-volume:${volume.id}`);
  state.blockVolumes.delete(volume.id);
}
