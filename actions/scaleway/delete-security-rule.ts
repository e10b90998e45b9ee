import { defineAction } from 'mv-infra/core';
import { SecurityRule } from '../../entities/security-rule.js';
import { instance } from '../../providers/scaleway/paths.js';
import { dryRunResult } from './dry-run.js';
import { ignoreGone } from '../../providers/scaleway/outcomes.js';
import { editableRule, refreshRules, ruleAtScaleway, ruleSummary } from './security-rules.js';

/** Removes the rule from its group at Scaleway (one already gone counts as removed); the others move up. */
export const deleteSecurityRule = defineAction({
  code: 'deleteSecurityRule',
  label: 'Delete',
  entity: SecurityRule,
  kind: 'instance',
  description: 'Removes the rule from its security group at Scaleway.',
  applicable: editableRule,
  confirm: (rule) => `Remove the rule "${ruleSummary(rule)}"? Servers of the group are filtered without it at once.`,
  async handler(ctx) {
    const { rule, group, api, zone } = await ruleAtScaleway(ctx);
    const path = instance(zone, `/security_groups/${group.providerSideId}/rules/${rule.providerSideId}`);
    if (ctx.job.dryRun) return dryRunResult(`remove "${ruleSummary(rule)}" from ${group.name}`, [{ method: 'DELETE', path }]);
    await ctx.progress(30, `Removing a rule of ${group.name}`);
    await ignoreGone(api.securityGroups.deleteRule(zone, group.providerSideId!, rule.providerSideId!));
    await ctx.repo(SecurityRule).delete({ id: rule.id });
    const { rules } = await refreshRules(ctx, api, group);
    return { message: `Removed "${ruleSummary(rule)}" from ${group.name}; ${rules.length} rules left`, value: { id: rule.providerSideId } };
  },
});
