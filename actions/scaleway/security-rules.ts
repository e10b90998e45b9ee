import { isIP } from 'node:net';
import { In, type EntityManager } from 'typeorm';
import { ActionError, type ActionContext } from 'mv-infra/core';
import { SecurityGroup } from '../../entities/security-group.js';
import { ruleProblems, SecurityRule } from '../../entities/security-rule.js';
import type { ScalewayApi } from '../../providers/scaleway/client.js';
import { ruleFields } from '../../providers/scaleway/mapping.js';
import type { SecurityGroupRule, SecurityGroupRuleRequest } from '../../providers/scaleway/wire.js';
import { chunks } from '../shared/chunks.js';
import { upsertResources } from '../shared/upsert-resources.js';
import { managedOnly, requireManaged } from './ownership.js';
import { scalewayOf, zoneOf } from './provider.js';

const RULE_COLUMNS = ['protocol', 'direction', 'action', 'ipRange', 'destPortFrom', 'destPortTo', 'position', 'editable', 'securityGroupId', 'lastSyncAt'] as const;

type GroupRef = Pick<SecurityGroup, 'id' | 'zone' | 'ownership'>;

/**
 * Writes the rules of security groups as Scaleway lists them, in bulk: each rule points at its group and
 * shares its ownership; rules of these groups that Scaleway no longer has are removed. Rules not created
 * at Scaleway yet are left alone. Returns how many were removed.
 */
export async function recordRules(manager: EntityManager, serviceProviderId: string, listings: { group: GroupRef; rules: SecurityGroupRule[] }[]): Promise<number> {
  for (const ownership of ['managed', 'observed'] as const) {
    const rows = listings
      .filter(({ group }) => group.ownership === ownership)
      .flatMap(({ group, rules }) => rules.map((rule) => ({ ...ruleFields(rule), providerSideId: rule.id, zone: group.zone, securityGroupId: group.id })));
    if (rows.length) await upsertResources(manager, SecurityRule, serviceProviderId, rows, { ownershipOfNew: ownership, update: [...RULE_COLUMNS] });
  }
  const listed = new Set(listings.flatMap(({ rules }) => rules.map((rule) => rule.id)));
  const stale: string[] = [];
  for (const groupIds of chunks(listings.map(({ group }) => group.id))) {
    const records = await manager.find(SecurityRule, { select: { id: true, providerSideId: true }, where: { securityGroupId: In(groupIds) } });
    stale.push(...records.filter((r) => r.providerSideId && !listed.has(r.providerSideId)).map((r) => r.id));
  }
  for (const ids of chunks(stale)) await manager.delete(SecurityRule, ids);
  return stale.length;
}

/** Reads a group's rules at Scaleway into its records (after any change: positions move). */
export async function refreshRules(ctx: ActionContext, api: ScalewayApi, group: SecurityGroup): Promise<{ rules: SecurityGroupRule[]; removed: number }> {
  const rules = await api.securityGroups.listRules(group.zone!, group.providerSideId!);
  const removed = await ctx.data.transaction((manager) => recordRules(manager, group.serviceProviderId, [{ group, rules }]));
  return { rules, removed };
}

/** Changing or deleting a rule: it must exist at Scaleway and be editable (not a default SMTP rule). */
export const editableRule = managedOnly((rule: SecurityRule) => {
  if (!rule.providerSideId) return 'it is not created at Scaleway yet';
  return rule.editable || 'Scaleway does not let anyone change this rule (a default rule blocking SMTP: turn off the group’s default security instead)';
});

/**
 * Where a rule action works: the rule's group, which must exist at Scaleway and be ours for its rules to
 * change, its account's client and its zone.
 */
export async function ruleAtScaleway(ctx: ActionContext<SecurityRule>): Promise<{ rule: SecurityRule; group: SecurityGroup; api: ScalewayApi; zone: string }> {
  const rule = ctx.record;
  const group = await ctx.repo(SecurityGroup).findOneBy({ id: rule.securityGroupId });
  if (!group?.providerSideId) throw new ActionError('The security group of this rule is not created at Scaleway yet', { field: 'securityGroupId' });
  requireManaged(group, `The security group ${group.name}`, 'securityGroupId');
  const { provider, api } = await scalewayOf(ctx, group.serviceProviderId);
  return { rule, group, api, zone: zoneOf(group, provider) };
}

/** Scaleway shows one host without its prefix length: `1.1.1.1/32` is `1.1.1.1`. */
export function normalizeRange(range: string): string {
  const [address, length] = range.split('/');
  return length === String(isIP(address) === 6 ? 128 : 32) ? address : range;
}

/**
 * The request for a rule record, after the entity's own checks (ruleProblems, also run on every save): a
 * rule saved before they existed, or written by a sync, is refused here before any call.
 */
export function ruleRequest(rule: SecurityRule): SecurityGroupRuleRequest {
  const [problem] = Object.entries(ruleProblems(rule));
  if (problem) throw new ActionError(problem[1][0], { field: problem[0] });
  const from = rule.destPortFrom ?? null;
  const to = rule.destPortTo ?? null;
  return {
    protocol: rule.protocol,
    direction: rule.direction,
    action: rule.action,
    ip_range: rule.ipRange,
    dest_port_from: from,
    dest_port_to: to,
    ...(rule.position !== null && { position: rule.position }),
  };
}

/** A rule in a few words, for messages: `inbound accept TCP 80-443 from 0.0.0.0/0`. */
export function ruleSummary(rule: Pick<SecurityRule, 'direction' | 'action' | 'protocol' | 'destPortFrom' | 'destPortTo' | 'ipRange'>): string {
  const ports = rule.destPortFrom ? ` ${rule.destPortFrom}${rule.destPortTo && rule.destPortTo !== rule.destPortFrom ? `-${rule.destPortTo}` : ''}` : '';
  return `${rule.direction} ${rule.action} ${rule.protocol}${ports} ${rule.direction === 'inbound' ? 'from' : 'to'} ${rule.ipRange}`;
}

/** Whether Scaleway's rule is the one this request describes (as Scaleway writes it back). */
export function sameRule(rule: SecurityGroupRule, request: SecurityGroupRuleRequest): boolean {
  const to = request.dest_port_to === request.dest_port_from ? null : (request.dest_port_to ?? null);
  return (
    rule.protocol === request.protocol &&
    rule.direction === request.direction &&
    rule.action === request.action &&
    normalizeRange(rule.ip_range) === normalizeRange(request.ip_range) &&
    (rule.dest_port_from ?? null) === (request.dest_port_from ?? null) &&
    (rule.dest_port_to ?? null) === to
  );
}
