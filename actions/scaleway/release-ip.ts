import { ActionError, defineAction, param } from 'mv-infra/core';
import { PublicIp } from '../../entities/public-ip.js';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { instance } from '../../providers/scaleway/paths.js';
import { dryRunResult, type PlannedCall } from './dry-run.js';
import { managedOnly, requireManaged } from './ownership.js';
import { ignoreGone, unlessGone } from '../../providers/scaleway/outcomes.js';
import { scalewayOf, zoneOf } from './provider.js';
import { ipName, refreshServers } from './public-ips.js';

/**
 * Gives the address back to Scaleway. Refused while it is attached (on the record, or at Scaleway, asked
 * first), unless `force`: then it is detached first. One already released counts as released.
 */
export const releaseIp = defineAction({
  code: 'releaseIp',
  label: 'Release',
  entity: PublicIp,
  kind: 'instance',
  description: 'Releases the IP at Scaleway; the address is lost. Refused while attached unless forced (then it is detached first).',
  applicable: managedOnly((ip) => !!ip.providerSideId || 'it is not reserved at Scaleway'),
  confirm: (ip) => `Release ${ipName(ip)}? The address goes back to Scaleway for good.`,
  params: { force: param.boolean({ default: false, label: 'Detach it first', description: 'Release even if it is attached to a server' }) },
  async handler(ctx) {
    const ip = ctx.record;
    const { provider, api } = await scalewayOf(ctx, ip.serviceProviderId);
    const zone = zoneOf(ip, provider);
    // Scaleway says whether it is attached; an IP already gone there is only forgotten here.
    const current = await unlessGone(api.ips.get(zone, ip.providerSideId!));
    const attached = current?.server ?? null;
    const server = attached ? await ctx.repo(ScalewayServer).findOneBy({ serviceProviderId: ip.serviceProviderId, zone, providerSideId: attached.id }) : null;
    const holder = server?.name ?? attached?.name;
    if (attached) {
      if (!ctx.params.force) throw new ActionError(`${ipName(ip)} is attached to ${holder}: detach it first, or release it with force`, { field: 'force' });
      if (server) requireManaged(server, `The server ${server.name}`, 'force');
    }
    const path = instance(zone, `/ips/${ip.providerSideId}`);
    const calls: PlannedCall[] = [...(attached ? [{ method: 'PATCH' as const, path, body: { server: null } }] : []), { method: 'DELETE', path }];
    if (ctx.job.dryRun) return dryRunResult(`release ${ipName(ip)}`, calls);
    if (attached) {
      await ctx.progress(20, `Detaching ${ipName(ip)} from ${holder}`);
      await api.ips.update(zone, ip.providerSideId!, { server: null });
    }
    await ctx.progress(50, `Releasing ${ipName(ip)}`);
    await ignoreGone(api.ips.delete(zone, ip.providerSideId!));
    await ctx.repo(PublicIp).delete({ id: ip.id });
    await refreshServers(ctx, api, zone, [server?.id]);
    return { message: `Released ${ipName(ip)}${attached ? ` after detaching it from ${holder}` : ''}`, value: { id: ip.providerSideId } };
  },
});
