import { IsNull, Not } from 'typeorm';
import { defineAction } from 'mv-infra/core';
import { SecurityRule } from '../../entities/security-rule.js';
import { instance } from '../../providers/scaleway/paths.js';
import { dryRunResult } from './dry-run.js';
import { findOrCreate } from './find-or-create.js';
import { managedOnly } from './ownership.js';
import { refreshRules, ruleAtScaleway, ruleRequest, ruleSummary, sameRule } from './security-rules.js';

/**
 * Adds the rule the user described to its security group. The CIDR, ports and protocol are checked before
 * calling; the group must be ours. Rules carry no tags: a create whose answer was lost is recognised as
 * the identical rule no record holds yet, and adopted. The group's rules are read back afterwards, since
 * their positions move.
 */
export const createSecurityRule = defineAction({
  code: 'createSecurityRule',
  label: 'Create on Scaleway',
  entity: SecurityRule,
  kind: 'instance',
  description: 'Adds the rule to its security group at Scaleway (checked first: CIDR, ports, protocol).',
  applicable: managedOnly((rule) => !rule.providerSideId || 'it exists at Scaleway already'),
  async handler(ctx) {
    const { rule, group, api, zone } = await ruleAtScaleway(ctx);
    const request = ruleRequest(rule);
    const rules = instance(zone, `/security_groups/${group.providerSideId}/rules`);
    if (ctx.job.dryRun) return dryRunResult(`add "${ruleSummary(rule)}" to ${group.name}`, [{ method: 'POST', path: rules, body: request }]);

    const unheld = async () => {
      const held = await ctx.repo(SecurityRule).findBy({ securityGroupId: group.id, providerSideId: Not(IsNull()) });
      const taken = new Set(held.map((r) => r.providerSideId));
      return (await api.securityGroups.listRules(zone, group.providerSideId!)).find((candidate) => !taken.has(candidate.id) && sameRule(candidate, request));
    };
    const created = rule.providerSideId
      ? { id: rule.providerSideId }
      : await findOrCreate(ctx, { kind: 'rule', name: ruleSummary(rule), find: unheld, create: () => api.securityGroups.createRule(zone, group.providerSideId!, request) });
    await ctx.repo(SecurityRule).update(rule.id, { providerSideId: created.id, zone });
    await refreshRules(ctx, api, group);
    const saved = await ctx.repo(SecurityRule).findOneByOrFail({ id: rule.id });
    return { message: `Added "${ruleSummary(saved)}" to ${group.name} at position ${saved.position}`, value: { id: created.id, position: saved.position } };
  },
});
