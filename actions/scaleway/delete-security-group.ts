import { ActionError, defineAction } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { SecurityGroup } from '../../entities/security-group.js';
import { instance } from '../../providers/scaleway/paths.js';
import { dryRunResult } from './dry-run.js';
import { managedOnly } from './ownership.js';
import { ignoreGone, unlessGone } from '../../providers/scaleway/outcomes.js';
import { scalewayOf, zoneOf } from './provider.js';

const names = (list: { name: string }[]) => list.slice(0, 5).map((item) => item.name).join(', ') + (list.length > 5 ? ` and ${list.length - 5} more` : '');

/**
 * Deletes a security group no server uses: neither a server record here nor, as Scaleway says before
 * anything is deleted, a server there. Its rules go with it.
 */
export const deleteSecurityGroup = defineAction({
  code: 'deleteSecurityGroup',
  label: 'Delete',
  entity: SecurityGroup,
  kind: 'instance',
  description: 'Deletes the security group and its rules at Scaleway, once no server uses it.',
  applicable: managedOnly((group) => !!group.providerSideId || 'it is not created at Scaleway'),
  confirm: (group) => `Delete the security group ${group.name} and its rules?`,
  async handler(ctx) {
    const group = ctx.record;
    const { provider, api } = await scalewayOf(ctx, group.serviceProviderId);
    const zone = zoneOf(group, provider);
    const users = await ctx.repo(ScalewayServer).find({ select: { id: true, name: true }, where: { securityGroupId: group.id }, order: { name: 'ASC' } });
    if (users.length) throw new ActionError(`${group.name} is the security group of ${names(users)}: give them another group first`, { field: 'securityGroupId', servers: users.map((s) => s.id) });
    const current = await unlessGone(api.securityGroups.get(zone, group.providerSideId!));
    if (current?.servers.length) throw new ActionError(`${group.name} is used at Scaleway by ${names(current.servers)}: give them another group first`, { servers: current.servers.map((s) => s.id) });
    const path = instance(zone, `/security_groups/${group.providerSideId}`);
    if (ctx.job.dryRun) return dryRunResult(`delete ${group.name}`, [{ method: 'DELETE', path }]);
    await ctx.progress(30, `Deleting ${group.name}`);
    await ignoreGone(api.securityGroups.delete(zone, group.providerSideId!));
    await ctx.repo(SecurityGroup).delete({ id: group.id });
    return { message: `Deleted the security group ${group.name} (${group.providerSideId})`, value: { id: group.providerSideId } };
  },
});
