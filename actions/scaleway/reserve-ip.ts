import { defineAction } from 'mv-infra/core';
import { ownerTag } from '../../entities/provider-resource.js';
import { PublicIp } from '../../entities/public-ip.js';
import { withOwnerTag } from '../../providers/scaleway/mapping.js';
import { instance } from '../../providers/scaleway/paths.js';
import type { CreateIpRequest } from '../../providers/scaleway/wire.js';
import { dryRunResult } from './dry-run.js';
import { findOrCreate } from './find-or-create.js';
import { managedOnly } from './ownership.js';
import { projectOf, scalewayOf, zoneOf } from './provider.js';
import { saveIp } from './public-ips.js';

/**
 * Reserves a flexible IP (routed IPv4, or an IPv6 prefix) in the record's zone, tagged with the record's id
 * so that a reservation whose answer was lost is found and adopted instead of reserving a second address.
 */
export const reserveIp = defineAction({
  code: 'reserveIp',
  label: 'Reserve on Scaleway',
  entity: PublicIp,
  kind: 'instance',
  description: 'Reserves a flexible IP of this type in the zone; attach it to a server afterwards.',
  applicable: managedOnly((ip) => !ip.providerSideId || 'it is reserved already'),
  confirm: (ip) => `Reserve a ${ip.type} address in ${ip.zone ?? 'its zone'}? Scaleway bills it until it is released.`,
  async handler(ctx) {
    const ip = ctx.record;
    const { provider, api } = await scalewayOf(ctx, ip.serviceProviderId);
    const zone = zoneOf(ip, provider);
    const request: CreateIpRequest = { type: ip.type, project: projectOf(ip, provider), tags: withOwnerTag(ip.tags, ip.id) };
    if (ctx.job.dryRun) return dryRunResult(`reserve a ${ip.type} address`, [{ method: 'POST', path: instance(zone, '/ips'), body: request }]);
    const tag = ownerTag(ip.id);
    const reserved = ip.providerSideId
      ? await api.ips.get(zone, ip.providerSideId)
      : await findOrCreate(ctx, {
          kind: 'IP',
          name: `a ${ip.type} address`,
          label: (found) => found.address,
          find: async () => (await api.ips.list(zone, { tags: [tag] }))[0],
          create: () => api.ips.create(zone, request),
        });
    await saveIp(ctx, ip, reserved);
    return { message: `Reserved ${reserved.address} (${reserved.type}) in ${zone}`, value: { id: reserved.id, address: reserved.address } };
  },
});
