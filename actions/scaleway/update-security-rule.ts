import { defineAction } from 'mv-infra/core';
import { SecurityRule } from '../../entities/security-rule.js';
import { instance } from '../../providers/scaleway/paths.js';
import { dryRunResult } from './dry-run.js';
import { editableRule, refreshRules, ruleAtScaleway, ruleRequest, ruleSummary } from './security-rules.js';

/** Sends the rule record to Scaleway (checked first: CIDR, ports, protocol); Scaleway's non-editable rules are refused. */
export const updateSecurityRule = defineAction({
  code: 'updateSecurityRule',
  label: 'Save to Scaleway',
  entity: SecurityRule,
  kind: 'instance',
  description: 'Applies the protocol, direction, action, IP range, ports and position of the rule at Scaleway.',
  applicable: editableRule,
  async handler(ctx) {
    const { rule, group, api, zone } = await ruleAtScaleway(ctx);
    const request = ruleRequest(rule);
    const path = instance(zone, `/security_groups/${group.providerSideId}/rules/${rule.providerSideId}`);
    if (ctx.job.dryRun) return dryRunResult(`update "${ruleSummary(rule)}" of ${group.name}`, [{ method: 'PATCH', path, body: request }]);
    await ctx.progress(30, `Updating a rule of ${group.name}`);
    await api.securityGroups.updateRule(zone, group.providerSideId!, rule.providerSideId!, request);
    await refreshRules(ctx, api, group);
    const saved = await ctx.repo(SecurityRule).findOneByOrFail({ id: rule.id });
    return { message: `Saved "${ruleSummary(saved)}" of ${group.name} at position ${saved.position}`, value: request };
  },
});
