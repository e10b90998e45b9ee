/**
 * The volumes of a server: the `volumes` map of create and update requests, attach-volume and
 * detach-volume. Requests are planned (validated) before anything changes, so a refused request
 * leaves the state as it was.
 *
 * A slot holds a local volume (`l_ssd`, `scratch`) or an SBS volume of the Block API. The root
 * (slot 0) comes from the image unless the request names a volume or a snapshot: an
 * `instance_sbs` image gives a new SBS volume, an `instance_local` one a new `l_ssd` volume.
 */
import type { BlockVolume, Image, ServerType, ServerVolume, VolumeServerTemplate } from '../../providers/scaleway/wire.js';
import { VOLUME_TYPES } from '../../providers/scaleway/wire.js';
import { attachBlockVolume, createBlockVolume, detachBlockVolume } from './block-volumes.js';
import { BLOCK_SIZE_LIMITS, GB, IMAGE_ROOT_SIZE, hasLocalStorage } from './catalogue.js';
import type { ScalewayContext } from './context.js';
import { invalidRequest, notFound } from './errors.js';
import type { ScalewayState, ServerRecord, VolumeRecord, VolumeRef } from './state.js';
import { instanceDate } from './time.js';
import type { BodyReader } from './validation.js';
import { checkVolumeSize, createLocalVolume, isLocalVolumeType, volumeView, type LocalVolumeType } from './volumes.js';

type PlannedVolume =
  | { kind: 'existing-local'; volume: VolumeRecord }
  | { kind: 'existing-block'; volume: BlockVolume }
  | { kind: 'new-local'; type: LocalVolumeType; size: number; name?: string }
  | { kind: 'new-block'; size: number; name?: string; parentSnapshotId: string | null };

export interface PlannedSlot {
  boot: boolean;
  volume: PlannedVolume;
}

/** Reads a `volumes` map (`{"0": {...}, "1": {...}}`), renumbered from 0 in slot order. */
export function readVolumeTemplates(body: BodyReader): Record<string, VolumeServerTemplate> | undefined {
  const templates = body
    .objectMap('volumes')
    ?.sort(([a], [b]) => Number(a) - Number(b))
    .map(([, volume]) => {
      const template: VolumeServerTemplate = {
        id: volume.string('id'),
        boot: volume.boolean('boot'),
        name: volume.string('name'),
        size: volume.integer('size', { min: 1 }),
        volume_type: volume.oneOf('volume_type', VOLUME_TYPES),
        base_snapshot: volume.string('base_snapshot'),
      };
      if (template.size !== undefined && template.size % 512 !== 0) volume.reject('size', 'size must be a multiple of 512');
      return template;
    });
  return templates && Object.fromEntries(templates.map((template, slot) => [String(slot), template]));
}

/** An existing volume, local or SBS, that is free or already this server's. */
function existingVolume(ctx: ScalewayContext, zone: string, id: string, serverId: string | undefined): PlannedVolume {
  const { state } = ctx;
  const local = state.volumes.get(id);
  if (local?.zone === zone) {
    if (local.server_id && local.server_id !== serverId) throw invalidRequest(`volume ${id} is already attached to a server`);
    return { kind: 'existing-local', volume: local };
  }
  const block = state.blockVolumes.get(id);
  if (block?.zone !== zone) throw notFound('instance_volume', id);
  if (block.references.some((reference) => reference.product_resource_id !== serverId)) throw invalidRequest(`volume ${id} is already attached to a server`);
  return { kind: 'existing-block', volume: block };
}

/** A new volume of a template: from a snapshot, or empty with a size and a type. */
function newVolume(ctx: ScalewayContext, zone: string, template: VolumeServerTemplate, type: ServerType, slot: number): PlannedVolume {
  const { state } = ctx;
  if (template.base_snapshot) {
    const snapshot = state.snapshots.get(template.base_snapshot);
    if (snapshot?.zone === zone) return { kind: 'new-local', type: 'l_ssd', size: snapshot.size, name: template.name };
    const blockSnapshot = state.blockSnapshots.get(template.base_snapshot);
    if (blockSnapshot?.zone !== zone) throw notFound('instance_snapshot', template.base_snapshot);
    return { kind: 'new-block', size: template.size ?? blockSnapshot.size, name: template.name, parentSnapshotId: blockSnapshot.id };
  }
  if (template.size === undefined) throw invalidRequest('Validation Error', { [`volumes.${slot}.size`]: ['required key not provided'] });
  const volumeType = template.volume_type ?? (hasLocalStorage(type) ? 'l_ssd' : 'sbs_volume');
  if (volumeType === 'sbs_volume') return { kind: 'new-block', size: template.size, name: template.name, parentSnapshotId: null };
  if (!isLocalVolumeType(volumeType)) throw invalidRequest(`volume type ${volumeType} cannot be attached to a server`);
  checkVolumeSize(volumeType, template.size, `volumes.${slot}.size`);
  return { kind: 'new-local', type: volumeType, size: template.size, name: template.name };
}

/** The root volume an image gives: the size of its snapshot, or the template's. */
function rootFromImage(ctx: ScalewayContext, image: Image | undefined, template: VolumeServerTemplate): PlannedVolume {
  if (!image?.root_volume) throw invalidRequest('an image or a root volume is required');
  const fromBlock = image.root_volume.volume_type === 'sbs_snapshot';
  const expected = fromBlock ? 'sbs_volume' : 'l_ssd';
  if (template.volume_type && template.volume_type !== expected) {
    throw invalidRequest(`image ${image.id} boots from a ${expected} volume, not ${template.volume_type}`);
  }
  if (fromBlock) {
    // public images' snapshots belong to the Marketplace: not in the store, they have the default size
    const size = template.size ?? ctx.state.blockSnapshots.get(image.root_volume.id)?.size ?? IMAGE_ROOT_SIZE;
    return { kind: 'new-block', size, name: template.name ?? `${image.name}_sbs_volume_0`, parentSnapshotId: image.root_volume.id };
  }
  return { kind: 'new-local', type: 'l_ssd', size: template.size ?? image.root_volume.size, name: template.name ?? image.name };
}

function planTemplate(ctx: ScalewayContext, zone: string, template: VolumeServerTemplate, type: ServerType, slot: number, serverId?: string): PlannedSlot {
  const volume = template.id ? existingVolume(ctx, zone, template.id, serverId) : newVolume(ctx, zone, template, type, slot);
  return { boot: template.boot ?? false, volume };
}

const localSize = (slot: PlannedSlot, type: LocalVolumeType) => {
  const volume = slot.volume;
  if (volume.kind === 'existing-local') return volume.volume.volume_type === type ? volume.volume.size : 0;
  return volume.kind === 'new-local' && volume.type === type ? volume.size : 0;
};

/** The commercial type's local storage rules (total `l_ssd` size, scratch size and count), and the size bounds of new SBS volumes. */
function checkStorageLimits(slots: PlannedSlot[], type: ServerType, typeName: string): void {
  const lssd = slots.reduce((total, slot) => total + localSize(slot, 'l_ssd'), 0);
  if (lssd > 0 && !hasLocalStorage(type)) throw invalidRequest(`${typeName} has no local storage: l_ssd volumes are not allowed`);
  const { min_size: min, max_size: max } = type.volumes_constraint;
  if (lssd > max || (lssd > 0 && lssd < min)) {
    throw invalidRequest(`The total size of local volume(s) must be between ${min / GB} GB and ${max / GB} GB for ${typeName}`);
  }
  const scratch = slots.map((slot) => localSize(slot, 'scratch')).filter((size) => size > 0);
  const scratchTotal = scratch.reduce((total, size) => total + size, 0);
  if (scratch.length > type.scratch_storage_max_volumes_count || scratchTotal > type.scratch_storage_max_size) {
    throw invalidRequest(`${typeName} allows ${type.scratch_storage_max_volumes_count} scratch volume(s) of ${type.scratch_storage_max_size / GB} GB in total`);
  }
  for (const slot of slots) {
    if (slot.volume.kind === 'new-block' && (slot.volume.size < BLOCK_SIZE_LIMITS.min || slot.volume.size > BLOCK_SIZE_LIMITS.max)) {
      throw invalidRequest(`Block volumes must be between ${BLOCK_SIZE_LIMITS.min / GB} GB and ${BLOCK_SIZE_LIMITS.max / GB} GB`);
    }
  }
}

/** Plans the volumes of a new server; slot 0 defaults to the image's root. */
export function planCreateVolumes(
  ctx: ScalewayContext,
  zone: string,
  image: Image | undefined,
  templates: VolumeServerTemplate[] = [],
  type: ServerType,
  typeName: string,
): PlannedSlot[] {
  const [root = {}, ...others] = templates;
  const rootSlot = root.id || root.base_snapshot ? planTemplate(ctx, zone, root, type, 0) : { boot: root.boot ?? false, volume: rootFromImage(ctx, image, root) };
  const slots = [rootSlot, ...others.map((template, index) => planTemplate(ctx, zone, template, type, index + 1))];
  checkStorageLimits(slots, type, typeName);
  return slots;
}

/** The current slots of a server, as a plan (to check a change against the type's rules). */
function currentSlots(state: ScalewayState, server: ServerRecord): PlannedSlot[] {
  return server.volume_refs.map((ref) => ({
    boot: ref.boot,
    volume: ref.kind === 'local' ? { kind: 'existing-local', volume: state.volumes.get(ref.id)! } : { kind: 'existing-block', volume: state.blockVolumes.get(ref.id)! },
  }));
}

/** Creates what the plan creates and attaches every slot to the server. */
export function attachPlanned(ctx: ScalewayContext, server: ServerRecord, slots: PlannedSlot[]): VolumeRef[] {
  const at = Date.now();
  return slots.map(({ boot, volume }) => {
    switch (volume.kind) {
      case 'existing-local':
        volume.volume.server_id = server.id;
        volume.volume.modification_date = instanceDate(at);
        return { kind: 'local', id: volume.volume.id, boot };
      case 'new-local': {
        const owner = { project: server.project, organization: server.organization };
        const created = createLocalVolume(ctx.state, { zone: server.zone, name: volume.name, type: volume.type, size: volume.size, owner, serverId: server.id });
        return { kind: 'local', id: created.id, boot };
      }
      case 'existing-block':
        if (!volume.volume.references.length) attachBlockVolume(volume.volume, server.id, at);
        return { kind: 'block', id: volume.volume.id, boot };
      case 'new-block': {
        const input = { zone: server.zone, name: volume.name, size: volume.size, projectId: server.project, parentSnapshotId: volume.parentSnapshotId };
        const created = createBlockVolume(ctx, input, { immediate: true });
        attachBlockVolume(created, server.id, at);
        return { kind: 'block', id: created.id, boot };
      }
    }
  });
}

/**
 * Detaches a slot's volume from the server; a local volume is deleted instead if asked. A Block volume is
 * let go of after `blockDetachMs` if given (the server is gone, its volumes not free yet).
 */
function release(state: ScalewayState, server: ServerRecord, ref: VolumeRef, deleteLocal: boolean, at: number, blockDetachMs = 0): void {
  if (ref.kind === 'block') {
    const volume = state.blockVolumes.get(ref.id);
    if (!volume) return;
    if (blockDetachMs > 0) state.timeline.schedule(`block-volume:${volume.id}:detach`, [{ afterMs: blockDetachMs, run: (later) => detachBlockVolume(volume, server.id, later) }]);
    else detachBlockVolume(volume, server.id, at);
    return;
  }
  const volume = state.volumes.get(ref.id);
  if (!volume) return;
  if (deleteLocal) {
    state.volumes.delete(volume.id);
    return;
  }
  volume.server_id = null;
  volume.modification_date = instanceDate(at);
}

/** Frees every volume of a server that goes away (terminate deletes the local ones). */
export function releaseVolumes(state: ScalewayState, server: ServerRecord, options: { deleteLocal: boolean; blockDetachMs?: number }): void {
  const at = Date.now();
  for (const ref of server.volume_refs) release(state, server, ref, options.deleteLocal, at, options.blockDetachMs);
  server.volume_refs = [];
}

const localIds = (slots: PlannedSlot[]) =>
  slots
    .map(({ volume }) => (volume.kind === 'existing-local' ? volume.volume.id : volume.kind === 'new-local' ? 'new' : undefined))
    .filter(Boolean)
    .join();

/** Local volumes change only on a stopped server; SBS volumes are hot-plugged. */
function checkLocalChange(server: ServerRecord, before: PlannedSlot[], after: PlannedSlot[]): void {
  if (server.state !== 'stopped' && localIds(before) !== localIds(after)) throw invalidRequest('server should be stopped to change its local volumes');
}

/** Replaces the server's volumes with the request's map (`PATCH /servers/{id}`). */
export function replaceVolumes(ctx: ScalewayContext, server: ServerRecord, templates: VolumeServerTemplate[], type: ServerType): void {
  const before = currentSlots(ctx.state, server);
  const after = templates.map((template, slot) => planTemplate(ctx, server.zone, template, type, slot, server.id));
  checkStorageLimits(after, type, server.commercial_type);
  checkLocalChange(server, before, after);
  const kept = new Set(after.flatMap(({ volume }) => ('volume' in volume ? [volume.volume.id] : [])));
  const at = Date.now();
  for (const ref of server.volume_refs) if (!kept.has(ref.id)) release(ctx.state, server, ref, false, at);
  server.volume_refs = attachPlanned(ctx, server, after);
}

/** `POST /servers/{id}/attach-volume`: the volume takes the next slot. */
export function attachVolume(ctx: ScalewayContext, server: ServerRecord, volumeId: string, boot: boolean, type: ServerType): void {
  if (server.volume_refs.some((ref) => ref.id === volumeId)) throw invalidRequest(`volume ${volumeId} is already attached to this server`);
  const before = currentSlots(ctx.state, server);
  const slot: PlannedSlot = { boot, volume: existingVolume(ctx, server.zone, volumeId, server.id) };
  checkStorageLimits([...before, slot], type, server.commercial_type);
  checkLocalChange(server, before, [...before, slot]);
  server.volume_refs.push(...attachPlanned(ctx, server, [slot]));
}

/** `POST /servers/{id}/detach-volume`. */
export function detachVolume(ctx: ScalewayContext, server: ServerRecord, volumeId: string): void {
  const ref = server.volume_refs.find((candidate) => candidate.id === volumeId);
  if (!ref) throw invalidRequest(`volume ${volumeId} is not attached to this server`);
  const before = currentSlots(ctx.state, server);
  checkLocalChange(server, before, before.filter(({ volume }) => !('volume' in volume) || volume.volume.id !== volumeId));
  release(ctx.state, server, ref, false, Date.now());
  server.volume_refs = server.volume_refs.filter((candidate) => candidate !== ref);
}

/** The `volumes` map of a server: local volumes in full, SBS volumes as references. */
export function serverVolumesView(state: ScalewayState, server: ServerRecord): Record<string, ServerVolume> {
  const view: Record<string, ServerVolume> = {};
  server.volume_refs.forEach((ref, slot) => {
    const local = ref.kind === 'local' ? state.volumes.get(ref.id) : undefined;
    view[String(slot)] = local
      ? { boot: ref.boot, ...volumeView(state, local) }
      : { boot: ref.boot, volume_type: 'sbs_volume', id: ref.id, state: 'available', zone: server.zone };
  });
  return view;
}
