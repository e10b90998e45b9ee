import { defineAction, param, type ActionContext } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import type { ServiceProvider } from '../../entities/service-provider.js';
import { block, instance } from '../../providers/scaleway/paths.js';
import { serial } from '../shared/serial.js';
import { settled } from '../shared/settled.js';
import { ZoneSync } from './server-zone-sync.js';
import { perProvider, serviceProviderParam, syncEachZone } from './zone-sync.js';

/**
 * Imports the account's servers, zone by zone, with their volumes, IPs and security groups. Lists, never
 * item by item: every list of every zone is read at once, within the account's request budget, and
 * recorded page by page while the next pages are on their way. Only names starting with the provider's
 * import prefix are taken (the original's "dev-"; empty takes everything). New servers come in `observed`
 * until adopted; records whose server is gone are marked `deleted` (ours) or removed (observed). When a
 * list fails, the job fails once every list and write under way has ended, and nothing is marked gone in
 * that zone.
 */
export const syncServers = defineAction({
  code: 'syncServers',
  label: 'Sync from Scaleway',
  entity: ScalewayServer,
  kind: 'list',
  description: 'Imports and refreshes the servers of a Scaleway account (only names with the import prefix).',
  params: {
    serviceProviderId: serviceProviderParam,
    namePrefix: param.string({ label: 'Name prefix', description: 'Overrides the provider’s import prefix; empty string imports everything' }),
  },
  lockKey: perProvider,
  handler(ctx) {
    const prefixOf = (provider: ServiceProvider) => ctx.params.namePrefix ?? provider.importNamePrefix ?? '';
    const write = serial();
    return syncEachZone(
      ctx,
      'servers',
      async ({ api, provider, zone }) => {
        const prefix = prefixOf(provider);
        const sync = new ZoneSync(ctx as ActionContext, provider.id, zone, prefix, write);
        try {
          await settled([api.servers.eachPage(zone, { name: prefix || undefined }, (page) => sync.servers(page)), api.block.eachVolumePage(zone, (page) => sync.volumes(page))]);
        } catch (error) {
          await sync.abandon();
          throw error;
        }
        await sync.finish(api);
        return sync.outcome;
      },
      {
        parallel: true,
        reads: (zone) => [instance(zone, '/servers'), block(zone, '/volumes')],
        note: (provider) => (prefixOf(provider) ? `; only names starting with "${prefixOf(provider)}"` : ''),
      },
    );
  },
});
