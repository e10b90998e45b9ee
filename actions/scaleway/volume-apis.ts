import type { ServerVolume } from '../../entities/server-volume.js';
import type { ScalewayApi } from '../../providers/scaleway/client.js';
import { blockVolumeFields, instanceVolumeFields } from '../../providers/scaleway/mapping.js';
import { block, instance } from '../../providers/scaleway/paths.js';
import type { BlockVolume, Volume } from '../../providers/scaleway/wire.js';
import type { PlannedCall } from './dry-run.js';
import { ignoreGone, unlessGone } from '../../providers/scaleway/outcomes.js';

/**
 * Which API holds a volume record: SBS volumes and their snapshots live in the Block Storage API, local
 * volumes (`l_ssd`, `scratch`, legacy `b_ssd`) and their snapshots in the Instance API.
 */
type Located = Pick<ServerVolume, 'kind' | 'volumeType' | 'providerSideId'>;

export const isBlock = (volume: Pick<ServerVolume, 'volumeType'>): boolean => volume.volumeType === 'sbs_volume' || volume.volumeType === 'sbs_snapshot';

/** How a server's volumes name a volume's type: a Block volume, or a local one. */
export const attachedType = (volume: Pick<ServerVolume, 'volumeType'>): 'sbs_volume' | 'l_ssd' => (isBlock(volume) ? 'sbs_volume' : 'l_ssd');

/** A volume as either API shows it, in our record's terms, with the server holding it (its Scaleway id). */
export interface ProviderVolume {
  id: string;
  state: string;
  fields: Partial<ServerVolume>;
  attachedTo: string | null;
}

/** Whether a volume is boot is the server's to say: a volume read alone leaves it as it is. */
function withoutBoot({ isBoot: _boot, ...fields }: Partial<ServerVolume>): Partial<ServerVolume> {
  return fields;
}

export function fromBlock(volume: BlockVolume): ProviderVolume {
  const server = volume.references.find((reference) => reference.product_resource_type === 'instance_server');
  return { id: volume.id, state: volume.status, fields: withoutBoot(blockVolumeFields(volume)), attachedTo: server?.product_resource_id ?? null };
}

export function fromInstance(volume: Volume): ProviderVolume {
  return { id: volume.id, state: volume.state, fields: withoutBoot(instanceVolumeFields(volume)), attachedTo: volume.server?.id ?? null };
}

export const fromWire = (volume: BlockVolume | Volume): ProviderVolume => ('status' in volume ? fromBlock(volume) : fromInstance(volume));

/** The volume as Scaleway has it now, read from the API its record's type says. */
export async function readVolume(api: ScalewayApi, zone: string, volume: Located): Promise<ProviderVolume> {
  return isBlock(volume) ? fromBlock(await api.block.getVolume(zone, volume.providerSideId!)) : fromInstance(await api.volumes.get(zone, volume.providerSideId!));
}

/**
 * The volume as Scaleway has it now, wherever it is: a record whose type was edited since the volume was
 * created still finds it (in the other API). Undefined when it is gone from both.
 */
export async function locateVolume(api: ScalewayApi, zone: string, volume: Located): Promise<ProviderVolume | undefined> {
  const other: Located = { ...volume, volumeType: isBlock(volume) ? 'l_ssd' : 'sbs_volume' };
  return (await unlessGone(readVolume(api, zone, volume))) ?? (await unlessGone(readVolume(api, zone, other)));
}

/** The path of a volume or snapshot record at its API. */
export function volumePath(zone: string, volume: Located): string {
  const collection = volume.kind === 'snapshot' ? 'snapshots' : 'volumes';
  return (isBlock(volume) ? block : instance)(zone, `/${collection}/${volume.providerSideId}`);
}

export const deleteCall = (zone: string, volume: Located): PlannedCall => ({ method: 'DELETE', path: volumePath(zone, volume) });

/**
 * Deletes a volume or a snapshot through its API; one already gone counts as deleted. A Block volume must
 * be detached first: Scaleway refuses one that a server still holds (412, not retried); after a server
 * delete, wait for it (waitForBlockVolumeDetached).
 */
export async function deleteAtScaleway(api: ScalewayApi, zone: string, volume: Located): Promise<void> {
  const id = volume.providerSideId;
  if (!id) return;
  if (volume.kind === 'snapshot') await ignoreGone(isBlock(volume) ? api.block.deleteSnapshot(zone, id) : api.snapshots.delete(zone, id));
  else await ignoreGone(isBlock(volume) ? api.block.deleteVolume(zone, id) : api.volumes.delete(zone, id));
}
