/**
 * Block Storage snapshots: created `creating`, `available` after a transition, shown `in_use`
 * while an Instance image is built on them (a `link` reference).
 */
import type { BlockSnapshot, BlockSnapshotStatus, BlockVolume } from '../../providers/scaleway/wire.js';
import { blockVolumeStatus } from './block-volumes.js';
import type { ScalewayContext } from './context.js';
import { newId } from './ids.js';
import type { BlockSnapshotRecord, ScalewayState } from './state.js';
import { blockDate } from './time.js';

export interface NewBlockSnapshot {
  name?: string;
  volume: BlockVolume;
  projectId: string;
  tags?: string[];
}

export function createBlockSnapshot(ctx: ScalewayContext, input: NewBlockSnapshot): BlockSnapshotRecord {
  const now = Date.now();
  const id = newId();
  const snapshot: BlockSnapshotRecord = {
    id,
    name: input.name ?? `snp-${id.slice(0, 8)}`,
    parent_volume_id: input.volume.id,
    size: input.volume.size,
    project_id: input.projectId,
    created_at: blockDate(now),
    updated_at: blockDate(now),
    references: [],
    status: 'creating',
    tags: input.tags ?? [],
    class: 'sbs',
    zone: input.volume.zone,
    public: false,
  };
  ctx.state.blockSnapshots.set(snapshot.id, snapshot);
  ctx.state.timeline.schedule(`block-snapshot:${snapshot.id}`, [
    {
      afterMs: ctx.config.transitionMs,
      run: (at) => {
        snapshot.status = 'available';
        snapshot.updated_at = blockDate(at);
      },
    },
  ]);
  return snapshot;
}

export function blockSnapshotStatus(snapshot: BlockSnapshotRecord): BlockSnapshotStatus {
  return snapshot.status === 'available' && snapshot.references.length > 0 ? 'in_use' : snapshot.status;
}

/** The snapshot as the API shows it; `parent_volume` is null once the volume is deleted. */
export function blockSnapshotView(state: ScalewayState, snapshot: BlockSnapshotRecord): BlockSnapshot {
  const { parent_volume_id: parentId, ...rest } = snapshot;
  const parent = parentId ? state.blockVolumes.get(parentId) : undefined;
  return {
    ...rest,
    parent_volume: parent ? { id: parent.id, name: parent.name, type: parent.type, status: blockVolumeStatus(parent) } : null,
    status: blockSnapshotStatus(snapshot),
    references: snapshot.references.map((reference) => ({ ...reference })),
  };
}

export function deleteBlockSnapshot(state: ScalewayState, snapshot: BlockSnapshotRecord): void {
  state.timeline.cancel(`block-snapshot:${snapshot.id}`);
  state.blockSnapshots.delete(snapshot.id);
}
