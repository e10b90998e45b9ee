import { defineAction, param } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { scaleway } from '../../providers/scaleway/connect.js';
import type { BlockVolume } from '../../providers/scaleway/wire.js';
import { existingIds } from '../shared/upsert-resources.js';
import { pickScalewayProvider, zonesOf } from './pick-provider.js';
import { letGoOfGone } from './gone.js';
import { recordServers } from './record-servers.js';

/**
 * Imports the account's servers, zone by zone, with their volumes, IPs and security groups. Lists, never
 * item by item: a zone is a handful of paged calls whatever its size. Only names starting with the
 * provider's import prefix are taken (the original's "dev-"; empty takes everything). New servers come in
 * `observed` until adopted; records whose server is gone are marked `deleted` (ours) or removed (observed).
 */
export const syncServers = defineAction({
  code: 'syncServers',
  label: 'Sync from Scaleway',
  entity: ScalewayServer,
  kind: 'list',
  description: 'Imports and refreshes the servers of a Scaleway account (only names with the import prefix).',
  params: {
    serviceProviderId: param.string({ label: 'Service provider', description: 'Needed when there are several Scaleway accounts' }),
    namePrefix: param.string({ label: 'Name prefix', description: 'Overrides the provider’s import prefix; empty string imports everything' }),
  },
  async handler(ctx) {
    const provider = await pickScalewayProvider(ctx, ctx.params.serviceProviderId);
    const api = await scaleway(ctx, provider);
    const zones = zonesOf(provider);
    const prefix = ctx.params.namePrefix ?? provider.importNamePrefix ?? '';
    const known = await existingIds(ctx.data, ScalewayServer, provider.id);
    const counts = { listed: 0, added: 0, gone: 0 };
    // Every list of every zone at once: the account's request budget decides how many calls run together.
    await ctx.progress(0, `Listing servers and Block volumes in ${zones.join(', ')}${prefix ? ` (names ${prefix}*)` : ''}`);
    const listings = await Promise.all(
      zones.map(async (zone) => {
        const [servers, volumes] = await Promise.all([api.servers.list(zone, { name: prefix || undefined }), api.block.listVolumes(zone)]);
        return { zone, servers: servers.filter((server) => server.name.startsWith(prefix)), blockVolumes: new Map<string, BlockVolume>(volumes.map((v) => [v.id, v])) };
      }),
    );
    for (const [index, { zone, servers, blockVolumes }] of listings.entries()) {
      await ctx.progress(50 + (index / zones.length) * 50, `Recording ${servers.length} servers of ${zone}`);
      const listed = await ctx.data.transaction(async (manager) => {
        const ids = await recordServers(manager, provider.id, api, servers, { ownershipOfNew: 'observed', fields: 'all', blockVolumes });
        counts.gone += await letGoOfGone(manager, ScalewayServer, { serviceProviderId: provider.id, zone, namePrefix: prefix }, new Set(servers.map((s) => s.id)), { allowedActions: [] });
        return ids;
      });
      counts.listed += servers.length;
      counts.added += [...listed.keys()].filter((key) => !known.has(key)).length;
    }
    const gone = counts.gone ? `, ${counts.gone} gone` : '';
    return {
      message: `Synced ${counts.listed} servers of ${provider.name} in ${zones.join(', ')} (${counts.added} new${gone})${prefix ? `; only names starting with "${prefix}"` : ''}`,
      value: counts,
    };
  },
});
