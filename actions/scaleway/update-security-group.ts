import { defineAction } from 'mv-infra/core';
import { SecurityGroup } from '../../entities/security-group.js';
import { securityGroupFields } from '../../providers/scaleway/mapping.js';
import { instance } from '../../providers/scaleway/paths.js';
import { groupSettings } from './create-security-group.js';
import { dryRunResult } from './dry-run.js';
import { managedOnly } from './ownership.js';
import { scalewayOf, zoneOf } from './provider.js';

/** Sends the group's name, description, tags, statefulness and default policies to Scaleway. */
export const updateSecurityGroup = defineAction({
  code: 'updateSecurityGroup',
  label: 'Save to Scaleway',
  entity: SecurityGroup,
  kind: 'instance',
  description: 'Applies the name, description, tags, statefulness and default inbound and outbound policies of the record at Scaleway.',
  applicable: managedOnly((group) => !!group.providerSideId || 'it is not created at Scaleway yet'),
  async handler(ctx) {
    const group = ctx.record;
    const { provider, api } = await scalewayOf(ctx, group.serviceProviderId);
    const zone = zoneOf(group, provider);
    const request = groupSettings(group);
    if (ctx.job.dryRun) return dryRunResult(`update ${group.name}`, [{ method: 'PATCH', path: instance(zone, `/security_groups/${group.providerSideId}`), body: request }]);
    await ctx.progress(30, `Updating ${group.name}`);
    const updated = await api.securityGroups.update(zone, group.providerSideId!, request);
    await ctx.repo(SecurityGroup).update(group.id, securityGroupFields(updated));
    return {
      message: `Saved ${updated.name} at Scaleway: inbound ${updated.inbound_default_policy}, outbound ${updated.outbound_default_policy}${updated.stateful ? ', stateful' : ''}`,
      value: request,
    };
  },
});
