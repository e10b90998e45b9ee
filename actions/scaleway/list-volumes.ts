import { IsNull } from 'typeorm';
import { defineAction } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerVolume } from '../../entities/server-volume.js';
import { block, instance } from '../../providers/scaleway/paths.js';
import { existingIds, keyOf, upsertResources } from '../shared/upsert-resources.js';
import { letGoOfGone } from './gone.js';
import { DETACHED_VOLUME } from './record-servers.js';
import { fromBlock, fromInstance } from './volume-apis.js';
import { perProvider, serviceProviderParam, syncEachZone } from './zone-sync.js';

/** What a listing knows of a volume; whether it is its server's boot volume is left to the server sync. */
const LISTED_COLUMNS = ['name', 'volumeType', 'size', 'iops', 'state', 'project', 'tags', 'baseSnapshot', 'serverId', 'providerCreatedAt', 'providerModifiedAt', 'lastSyncAt'] as const;

/**
 * Imports the account's volumes, zone by zone: local ones from the Instance API and SBS ones from the Block
 * Storage API, in a few paged calls each. Attached volumes are linked to their server records (servers
 * not imported yet stay unlinked until the next listing). New ones come in `observed`; records whose
 * volume is gone are removed (observed) or marked `deleted` (ours).
 */
export const listVolumes = defineAction({
  code: 'listVolumes',
  label: 'Sync from Scaleway',
  entity: ServerVolume,
  kind: 'list',
  description: 'Imports and refreshes the volumes (local and Block Storage) of a Scaleway account in each of its zones.',
  params: { serviceProviderId: serviceProviderParam },
  lockKey: perProvider,
  handler: (ctx) =>
    syncEachZone(ctx, 'volumes', async ({ api, provider, zone }) => {
      const [local, sbs] = await Promise.all([api.volumes.list(zone), api.block.listVolumes(zone)]);
      const volumes = [...local.map(fromInstance), ...sbs.map(fromBlock)];
      return ctx.data.transaction(async (manager) => {
        const servers = await existingIds(manager, ScalewayServer, provider.id, zone);
        const rows = volumes.map((volume) => ({
          ...volume.fields,
          providerSideId: volume.id,
          zone,
          serverId: volume.attachedTo ? (servers.get(keyOf(zone, volume.attachedTo)) ?? null) : null,
        }));
        const written = await upsertResources(manager, ServerVolume, provider.id, rows, { ownershipOfNew: 'observed', update: [...LISTED_COLUMNS] });
        await manager.update(ServerVolume, { serviceProviderId: provider.id, zone, serverId: IsNull(), isBoot: true }, { isBoot: false });
        const listed = new Set(volumes.map((volume) => volume.id));
        const gone = await letGoOfGone(manager, ServerVolume, { serviceProviderId: provider.id, zone, where: { kind: 'volume' } }, listed, DETACHED_VOLUME);
        return { listed: volumes.length, added: written.added, gone };
      });
    }, { reads: (zone) => [instance(zone, '/volumes'), block(zone, '/volumes')] }),
});
