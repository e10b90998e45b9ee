import { defineAction } from 'mv-infra/core';
import { SecurityGroup } from '../../entities/security-group.js';
import { instance } from '../../providers/scaleway/paths.js';
import { readsDryRun } from './dry-run.js';
import { scalewayOf } from './provider.js';
import { refreshRules } from './security-rules.js';

/** Reads the group's rules at Scaleway into its SecurityRule records; rules gone at Scaleway are removed. A dry run reads and writes nothing. */
export const listSecurityRules = defineAction({
  code: 'listSecurityRules',
  label: 'Read rules',
  entity: SecurityGroup,
  kind: 'instance',
  role: 'viewer',
  description: 'Reads the rules of the security group at Scaleway (editable ones and the default SMTP rules).',
  applicable: (group) => !!group.providerSideId || 'it is not created at Scaleway yet',
  async handler(ctx) {
    const group = ctx.record;
    if (ctx.job.dryRun) return readsDryRun(`read the rules of ${group.name}`, [instance(group.zone!, `/security_groups/${group.providerSideId}/rules`)]);
    const { api } = await scalewayOf(ctx, group.serviceProviderId);
    const { rules, removed } = await refreshRules(ctx, api, group);
    const editable = rules.filter((rule) => rule.editable).length;
    return {
      message: `${group.name} has ${rules.length} rules (${editable} editable, ${rules.length - editable} set by Scaleway)${removed ? `; ${removed} gone at Scaleway were removed` : ''}`,
      value: { rules: rules.length, editable, removed },
    };
  },
});
