import type { EntityManager } from 'typeorm';
import type { Ownership } from '../../entities/provider-resource.js';
import { ServerImage } from '../../entities/server-image.js';
import { ServerVolume } from '../../entities/server-volume.js';
import { imageFields, snapshotFields } from '../../providers/scaleway/mapping.js';
import type { Image } from '../../providers/scaleway/wire.js';
import { keyOf, upsertResources, type WrittenIds } from '../shared/upsert-resources.js';

const IMAGE_COLUMNS = ['name', 'arch', 'isPublic', 'fromServer', 'state', 'project', 'tags', 'providerCreatedAt', 'providerModifiedAt', 'lastSyncAt'] as const;
const SNAPSHOT_COLUMNS = ['name', 'size', 'isBoot', 'imageId', 'lastSyncAt'] as const;

/**
 * Writes the project's own images of one zone (backups, images built from snapshots) with their snapshots,
 * as ServerVolume records of kind snapshot pointing at the image (the root one marked boot). In bulk, for
 * one image after a backup or for all of them in a listing. Returns image record ids by zone and id.
 */
export async function recordImages(manager: EntityManager, serviceProviderId: string, zone: string, images: Image[], ownershipOfNew: Ownership): Promise<WrittenIds> {
  const ids = await upsertResources(manager, ServerImage, serviceProviderId, images.map((image) => ({ ...imageFields(image), providerSideId: image.id, zone })), {
    ownershipOfNew,
    update: [...IMAGE_COLUMNS],
  });
  const snapshots = images.flatMap((image) => {
    const imageId = ids.get(keyOf(zone, image.id))!;
    const volumes = [...(image.root_volume ? [{ volume: image.root_volume, isBoot: true, slot: '0' }] : []), ...Object.entries(image.extra_volumes).map(([slot, volume]) => ({ volume, isBoot: false, slot }))];
    return volumes.map(({ volume, isBoot, slot }) => {
      const fields = snapshotFields(volume, zone);
      // Block snapshots come without a name in an image: name them after it.
      return { ...fields, name: fields.name || `${image.name} volume ${slot}`, providerSideId: volume.id, zone, isBoot, imageId };
    });
  });
  await upsertResources(manager, ServerVolume, serviceProviderId, snapshots, { ownershipOfNew, update: [...SNAPSHOT_COLUMNS] });
  return ids;
}
