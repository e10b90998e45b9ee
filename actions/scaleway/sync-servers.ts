import { defineAction, param } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { scaleway } from '../../providers/scaleway/connect.js';
import { serial } from '../shared/serial.js';
import { existingIds } from '../shared/upsert-resources.js';
import { pickScalewayProvider, zonesOf } from './pick-provider.js';
import { ZoneSync } from './server-zone-sync.js';
import { serviceProviderParam } from './zone-sync.js';

/**
 * Imports the account's servers, zone by zone, with their volumes, IPs and security groups. Lists, never
 * item by item: every list of every zone is read at once, within the account's request budget, and
 * recorded page by page while the next pages are on their way. Only names starting with the provider's
 * import prefix are taken (the original's "dev-"; empty takes everything). New servers come in `observed`
 * until adopted; records whose server is gone are marked `deleted` (ours) or removed (observed).
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
  async handler(ctx) {
    const provider = await pickScalewayProvider(ctx, ctx.params.serviceProviderId);
    const api = await scaleway(ctx, provider);
    const zones = zonesOf(provider);
    const prefix = ctx.params.namePrefix ?? provider.importNamePrefix ?? '';
    const known = await existingIds(ctx.data, ScalewayServer, provider.id);
    const write = serial();
    await ctx.progress(0, `Listing and recording servers and Block volumes of ${zones.join(', ')}${prefix ? ` (names ${prefix}*)` : ''}`);
    const syncs = await Promise.all(
      zones.map(async (zone) => {
        const sync = new ZoneSync(ctx, provider.id, zone, prefix, known, write);
        await Promise.all([api.servers.eachPage(zone, { name: prefix || undefined }, (page) => sync.servers(page)), api.block.eachVolumePage(zone, (page) => sync.volumes(page))]);
        await sync.finish(api);
        await ctx.progress(100 * ((zones.indexOf(zone) + 1) / zones.length), `${zone}: ${sync.counts.listed} servers`);
        return sync;
      }),
    );
    const counts = { listed: 0, added: 0, gone: 0 };
    for (const sync of syncs) for (const key of ['listed', 'added', 'gone'] as const) counts[key] += sync.counts[key];
    const gone = counts.gone ? `, ${counts.gone} gone` : '';
    return {
      message: `Synced ${counts.listed} servers of ${provider.name} in ${zones.join(', ')} (${counts.added} new${gone})${prefix ? `; only names starting with "${prefix}"` : ''}`,
      value: counts,
    };
  },
});
