import { defineAction } from 'mv-infra/core';
import { Bootscript } from '../../entities/bootscript.js';
import { bootscriptFields } from '../../providers/scaleway/mapping.js';
import { instance } from '../../providers/scaleway/paths.js';
import { upsertResources } from '../shared/upsert-resources.js';
import { letGoOfGone } from './gone.js';
import { perProvider, serviceProviderParam, syncEachZone } from './zone-sync.js';

const COLUMNS = ['title', 'arch', 'bootcmdargs', 'dtb', 'initrd', 'kernel', 'isDefault', 'isPublic', 'project', 'lastSyncAt'] as const;

/**
 * Imports the bootscripts of each zone. Scaleway removed them from the Instance API in 2024: the API
 * answers 404 and the job fails saying so (servers boot from their volume). Should an endpoint answer
 * again (an older API, a compatible cloud), they are imported as observed records.
 */
export const listBootscripts = defineAction({
  code: 'listBootscripts',
  label: 'Sync from Scaleway',
  entity: Bootscript,
  kind: 'list',
  description: 'Imports the bootscripts of each zone (Scaleway removed them in 2024: the job then says so).',
  params: { serviceProviderId: serviceProviderParam },
  lockKey: perProvider,
  handler: (ctx) =>
    syncEachZone(ctx, 'bootscripts', async ({ api, provider, zone }) => {
      const bootscripts = await api.bootscripts.list(zone);
      return ctx.data.transaction(async (manager) => {
        const rows = bootscripts.map((bootscript) => ({ ...bootscriptFields(bootscript), providerSideId: bootscript.id, zone }));
        const written = await upsertResources(manager, Bootscript, provider.id, rows, { ownershipOfNew: 'observed', update: [...COLUMNS] });
        const gone = await letGoOfGone(manager, Bootscript, { serviceProviderId: provider.id, zone }, new Set(bootscripts.map((bootscript) => bootscript.id)));
        return { listed: bootscripts.length, added: written.added, gone };
      });
    }, { reads: (zone) => [instance(zone, '/bootscripts')] }),
});
