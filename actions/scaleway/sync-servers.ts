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
    for (const [index, zone] of zones.entries()) {
      await ctx.progress((index / zones.length) * 100, `Listing servers in ${zone}${prefix ? ` named ${prefix}*` : ''}`);
      const servers = (await api.servers.list(zone, { name: prefix || undefined })).filter((server) => server.name.startsWith(prefix));
      const usesBlock = servers.some((server) => Object.values(server.volumes).some((v) => v.volume_type === 'sbs_volume'));
      const blockVolumes = usesBlock ? new Map<string, BlockVolume>((await api.block.listVolumes(zone)).map((v) => [v.id, v])) : undefined;
      await ctx.progress(((index + 0.5) / zones.length) * 100, `Recording ${servers.length} servers of ${zone}`);
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
