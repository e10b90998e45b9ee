import { defineAction } from 'mv-infra/core';
import { ServerImage } from '../../entities/server-image.js';
import { instance } from '../../providers/scaleway/paths.js';
import { letGoOfGone } from './gone.js';
import { recordImages } from './record-images.js';
import { perProvider, serviceProviderParam, syncEachZone } from './zone-sync.js';

/**
 * Imports the project's own images (not the public catalogue, which populateProviderFields reads), zone by
 * zone, with their snapshots as ServerVolume records of kind snapshot. New ones come in `observed`;
 * records whose image is gone are removed (observed) or marked `deleted` (ours).
 */
export const listImages = defineAction({
  code: 'listImages',
  label: 'Sync from Scaleway',
  entity: ServerImage,
  kind: 'list',
  description: 'Imports and refreshes the private images (backups and custom images) of a Scaleway account, with their snapshots.',
  params: { serviceProviderId: serviceProviderParam },
  lockKey: perProvider,
  handler: (ctx) =>
    syncEachZone(ctx, 'private images', async ({ api, provider, zone }) => {
      const images = await api.images.list(zone, { public: false });
      return ctx.data.transaction(async (manager) => {
        const written = await recordImages(manager, provider.id, zone, images, 'observed');
        const gone = await letGoOfGone(manager, ServerImage, { serviceProviderId: provider.id, zone, where: { isPublic: false } }, new Set(images.map((image) => image.id)));
        return { listed: images.length, added: written.added, gone };
      });
    }, { reads: (zone) => [instance(zone, '/images?public=false')] }),
});
