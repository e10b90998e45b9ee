import { defineAction } from 'mv-infra/core';
import { PublicIp } from '../../entities/public-ip.js';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { instance } from '../../providers/scaleway/paths.js';
import { dryRunResult } from './dry-run.js';
import { managedOnly, requireManaged } from './ownership.js';
import { scalewayOf, zoneOf } from './provider.js';
import { ipName, refreshServers, saveIp } from './public-ips.js';

/** Detaches the IP from its server; the address stays reserved (and billed) for another server. */
export const detachIp = defineAction({
  code: 'detachIp',
  label: 'Detach from its server',
  entity: PublicIp,
  kind: 'instance',
  description: 'Detaches the IP from its server; it stays reserved.',
  applicable: managedOnly((ip) => {
    if (!ip.providerSideId) return 'it is not reserved at Scaleway yet';
    return !!ip.serverId || 'it is not attached to a server';
  }),
  confirm: (ip) => `Detach ${ipName(ip)}? Its server stops answering on this address.`,
  async handler(ctx) {
    const ip = ctx.record;
    const { provider, api } = await scalewayOf(ctx, ip.serviceProviderId);
    const zone = zoneOf(ip, provider);
    const server = await ctx.repo(ScalewayServer).findOneBy({ id: ip.serverId! });
    if (server) requireManaged(server, `The server ${server.name}`, 'serverId');
    const body = { server: null };
    if (ctx.job.dryRun) return dryRunResult(`detach ${ipName(ip)}`, [{ method: 'PATCH', path: instance(zone, `/ips/${ip.providerSideId}`), body }]);
    await ctx.progress(30, `Detaching ${ipName(ip)}${server ? ` from ${server.name}` : ''}`);
    await saveIp(ctx, ip, await api.ips.update(zone, ip.providerSideId!, body));
    await refreshServers(ctx, api, zone, [server?.id]);
    return { message: `Detached ${ipName(ip)}${server ? ` from ${server.name}` : ''}; it stays reserved` };
  },
});
