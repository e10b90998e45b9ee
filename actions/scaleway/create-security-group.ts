import { ActionError, defineAction } from 'mv-infra/core';
import { ownerTag } from '../../entities/provider-resource.js';
import { SecurityGroup } from '../../entities/security-group.js';
import { securityGroupFields, withOwnerTag } from '../../providers/scaleway/mapping.js';
import { instance } from '../../providers/scaleway/paths.js';
import type { UpdateSecurityGroupRequest } from '../../providers/scaleway/wire.js';
import { dryRunResult } from './dry-run.js';
import { findOrCreate } from './find-or-create.js';
import { managedOnly } from './ownership.js';
import { projectOf, scalewayOf, zoneOf } from './provider.js';
import { refreshRules } from './security-rules.js';

/** What the user decides on a group, as Scaleway takes it on create and update (our owner tag added). */
export function groupSettings(group: SecurityGroup): UpdateSecurityGroupRequest {
  if (!group.name?.trim()) throw new ActionError('Name the security group', { field: 'name' });
  return {
    name: group.name,
    description: group.description ?? undefined,
    tags: withOwnerTag(group.tags, group.id),
    stateful: group.stateful,
    inbound_default_policy: group.inboundDefaultPolicy,
    outbound_default_policy: group.outboundDefaultPolicy,
  };
}

/**
 * Creates the security group the user described, tagged with this record's id, keeps its Scaleway id at
 * once and records its rules (the default ones Scaleway adds). A create whose answer was lost is found by
 * its tag and adopted, never made twice.
 */
export const createSecurityGroup = defineAction({
  code: 'createSecurityGroup',
  label: 'Create on Scaleway',
  entity: SecurityGroup,
  kind: 'instance',
  description: 'Creates the security group at Scaleway with its default policies, and reads back its rules.',
  applicable: managedOnly((group) => !group.providerSideId || 'it exists at Scaleway already'),
  async handler(ctx) {
    const group = ctx.record;
    const { provider, api } = await scalewayOf(ctx, group.serviceProviderId);
    const zone = zoneOf(group, provider);
    const request = { ...groupSettings(group), project: projectOf(group, provider) };
    if (ctx.job.dryRun) return dryRunResult(`create ${group.name}`, [{ method: 'POST', path: instance(zone, '/security_groups'), body: request }]);

    const tag = ownerTag(group.id);
    const created = group.providerSideId
      ? await api.securityGroups.get(zone, group.providerSideId)
      : await findOrCreate(ctx, {
          kind: 'security group',
          name: group.name,
          label: (found) => found.name,
          find: async () => (await api.securityGroups.list(zone, { tags: [tag] }))[0],
          create: () => api.securityGroups.create(zone, request),
        });
    const repo = ctx.repo(SecurityGroup);
    await repo.update(group.id, securityGroupFields(created));
    const { rules } = await refreshRules(ctx, api, await repo.findOneByOrFail({ id: group.id }));
    return { message: `Created security group ${created.name} (${created.id}) in ${zone} with ${rules.length} rules`, value: { id: created.id, rules: rules.length } };
  },
});
