import { ActionError, defineAction, param } from 'mv-infra/core';
import { PublicIp } from '../../entities/public-ip.js';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { instance } from '../../providers/scaleway/paths.js';
import { dryRunResult } from './dry-run.js';
import { managedOnly, requireManaged } from './ownership.js';
import { scalewayOf, zoneOf } from './provider.js';
import { ipName, refreshServers, saveIp } from './public-ips.js';

/** Attaches the reserved IP to one of our servers in the same zone (the server gets the address at once). */
export const attachIp = defineAction({
  code: 'attachIp',
  label: 'Attach to a server',
  entity: PublicIp,
  kind: 'instance',
  description: 'Attaches the IP to a server of the same zone.',
  applicable: managedOnly((ip) => !!ip.providerSideId || 'it is not reserved at Scaleway yet'),
  params: { serverId: param.string({ required: true, label: 'Server', description: 'Id of a ScalewayServer record in the same zone' }) },
  async handler(ctx) {
    const ip = ctx.record;
    const { provider, api } = await scalewayOf(ctx, ip.serviceProviderId);
    const zone = zoneOf(ip, provider);
    const server = await ctx.repo(ScalewayServer).findOneBy({ id: ctx.params.serverId });
    if (!server?.providerSideId) throw new ActionError('No server with this id exists at Scaleway', { field: 'serverId' });
    if (server.zone !== zone) throw new ActionError(`${server.name} is in ${server.zone}, ${ipName(ip)} in ${zone}: an IP attaches only to a server of its zone`, { field: 'serverId' });
    requireManaged(server, `The server ${server.name}`, 'serverId');
    if (ip.serverId === server.id) throw new ActionError(`${ipName(ip)} is attached to ${server.name} already`, { field: 'serverId' });
    if (ip.serverId) throw new ActionError(`${ipName(ip)} is attached to another server: detach it first`, { field: 'serverId' });
    const body = { server: server.providerSideId };
    if (ctx.job.dryRun) return dryRunResult(`attach ${ipName(ip)} to ${server.name}`, [{ method: 'PATCH', path: instance(zone, `/ips/${ip.providerSideId}`), body }]);
    await ctx.progress(30, `Attaching ${ipName(ip)} to ${server.name}`);
    await saveIp(ctx, ip, await api.ips.update(zone, ip.providerSideId!, body));
    await refreshServers(ctx, api, zone, [server.id]);
    return { message: `Attached ${ipName(ip)} to ${server.name}`, value: { server: server.providerSideId } };
  },
});
