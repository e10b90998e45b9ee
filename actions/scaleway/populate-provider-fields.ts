import type { EntityManager } from 'typeorm';
import { defineAction } from 'mv-infra/core';
import { PublicIp } from '../../entities/public-ip.js';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerImage } from '../../entities/server-image.js';
import { ServerType } from '../../entities/server-type.js';
import { ServiceProvider } from '../../entities/service-provider.js';
import { scaleway } from '../../providers/scaleway/connect.js';
import { imageFields, ipFields, serverTypeFields } from '../../providers/scaleway/mapping.js';
import { instance } from '../../providers/scaleway/paths.js';
import type { Ip } from '../../providers/scaleway/wire.js';
import { chunks } from '../shared/chunks.js';
import { existingIds, keyOf, upsertResources } from '../shared/upsert-resources.js';
import { readsDryRun } from './dry-run.js';
import { letGoOfGone } from './gone.js';
import { zonesOf } from './pick-provider.js';

/**
 * Reads the catalogue of each configured zone: server types with prices and constraints, public images
 * (named by their Marketplace label) and the account's public IPs. Images the provider no longer offers
 * are removed, and so are IPs released at Scaleway (ours are kept, marked deleted); nothing is
 * hard-coded, zones come from the provider record. A dry run says what it would read, and reads nothing.
 */
export const populateProviderFields = defineAction({
  code: 'populateProviderFields',
  label: 'Populate from Scaleway',
  entity: ServiceProvider,
  kind: 'instance',
  description: 'Loads server types (prices, CPUs, RAM, volume constraints), public images and public IPs for each zone.',
  applicable: (provider) => provider.code === 'SCALEWAY' || 'only for Scaleway providers',
  async handler(ctx) {
    const provider = ctx.record;
    const zones = zonesOf(provider);
    if (ctx.job.dryRun) {
      const reads = zones.flatMap((zone) => [
        ...['/products/servers', '/products/servers/availability', '/images?public=true', '/ips'].map((path) => instance(zone, path)),
        `/marketplace/v2/local-images?zone=${zone}`,
      ]);
      return readsDryRun(`populate ${provider.name}`, reads);
    }
    const api = await scaleway(ctx, provider);
    const summary: string[] = [];
    for (const [index, zone] of zones.entries()) {
      await ctx.progress((index / zones.length) * 100, `Reading the catalogue of ${zone}`);
      const [types, availability, images, localImages, ips] = await Promise.all([
        api.products.serverTypes(zone),
        api.products.availability(zone),
        api.images.list(zone, { public: true }),
        api.marketplace.localImages(zone),
        api.ips.list(zone),
      ]);
      const labels = new Map(localImages.map((image) => [image.id, image.label]));
      await ctx.data.transaction(async (manager) => {
        await replaceServerTypes(manager, provider.id, zone, Object.entries(types).map(([name, type]) => serverTypeFields(name, type, zone, availability[name])));
        const kept = await upsertResources(manager, ServerImage, provider.id, images.map((image) => ({ ...imageFields(image, labels.get(image.id)), providerSideId: image.id, zone })), {
          ownershipOfNew: 'observed',
          update: ['name', 'label', 'arch', 'isPublic', 'state', 'providerModifiedAt', 'lastSyncAt'],
        });
        await removeWithdrawnImages(manager, provider.id, zone, new Set(kept.values()));
        await recordIps(manager, provider.id, zone, ips);
      });
      summary.push(`${zone}: ${Object.keys(types).length} server types, ${images.length} public images, ${ips.length} public IPs`);
    }
    return { message: `Populated ${provider.name} — ${summary.join('; ')}`, value: { zones } };
  },
});

/** Server types are a catalogue, not ours: each read replaces the zone's list. */
async function replaceServerTypes(manager: EntityManager, serviceProviderId: string, zone: string, types: Partial<ServerType>[]): Promise<void> {
  await manager.delete(ServerType, { serviceProviderId, zone });
  for (const slice of chunks(types, 500)) await manager.insert(ServerType, slice.map((type) => ({ ...type, serviceProviderId })));
}

async function removeWithdrawnImages(manager: EntityManager, serviceProviderId: string, zone: string, kept: Set<string>): Promise<void> {
  const publicImages = await manager.find(ServerImage, { select: { id: true }, where: { serviceProviderId, zone, isPublic: true } });
  const withdrawn = publicImages.map((image) => image.id).filter((id) => !kept.has(id));
  if (withdrawn.length) await manager.delete(ServerImage, withdrawn);
}

/** The account's IPs, linked to the server records they are attached to. */
async function recordIps(manager: EntityManager, serviceProviderId: string, zone: string, ips: Ip[]): Promise<void> {
  const servers = await existingIds(manager, ScalewayServer, serviceProviderId, zone);
  await upsertResources(
    manager,
    PublicIp,
    serviceProviderId,
    ips.map((ip) => ({ ...ipFields(ip), providerSideId: ip.id, zone, serverId: ip.server ? servers.get(keyOf(zone, ip.server.id)) ?? null : null })),
    { ownershipOfNew: 'observed', update: ['address', 'type', 'prefix', 'reverse', 'state', 'serverId', 'tags', 'lastSyncAt'] },
  );
  await letGoOfGone(manager, PublicIp, { serviceProviderId, zone }, new Set(ips.map((ip) => ip.id)), { serverId: null });
}
