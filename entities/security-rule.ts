import { isIP } from 'node:net';
import { Entity } from 'typeorm';
import { BoolField, EnumField, IntField, RefField, Resource, StringField, type FieldErrors } from 'mv-infra/core';
import { ProviderResource } from './provider-resource.js';

export const PROTOCOLS = ['TCP', 'UDP', 'ICMP', 'ANY'] as const;
export const DIRECTIONS = ['inbound', 'outbound'] as const;
export const RULE_ACTIONS = ['accept', 'drop'] as const;

/** An IPv4 or IPv6 CIDR (a bare address is one host). */
export function isCidr(range: string): boolean {
  const [address, length, extra] = range.split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) return false;
  return length === undefined || (/^\d{1,3}$/.test(length) && Number(length) <= (family === 4 ? 32 : 128));
}

type RuleShape = Pick<SecurityRule, 'protocol' | 'ipRange' | 'destPortFrom' | 'destPortTo'>;

/**
 * The checks Scaleway would make on a rule (and report less clearly): a CIDR, ports from 1 to 65535 with
 * from ≤ to for TCP and UDP, no ports for ICMP and ANY (they match everything). Run on every save through
 * the API and the back-office, and again by the rule actions before they call. At most one message per
 * field, the first problem first.
 */
export function ruleProblems(rule: RuleShape): FieldErrors {
  const problems: FieldErrors = {};
  const add = (field: string, message: string) => void (problems[field] ??= [message]);
  if (!isCidr(rule.ipRange ?? '')) add('ipRange', `"${rule.ipRange}" is not an IP range: write a CIDR such as 203.0.113.0/24 or 2001:db8::/32, or one address`);
  const from = rule.destPortFrom ?? null;
  const to = rule.destPortTo ?? null;
  if (rule.protocol === 'ICMP' || rule.protocol === 'ANY') {
    if (from !== null || to !== null) add(from !== null ? 'destPortFrom' : 'destPortTo', `${rule.protocol} rules have no ports: clear the port range`);
  } else {
    for (const [field, port] of [['destPortFrom', from], ['destPortTo', to]] as const) {
      if (port !== null && (!Number.isInteger(port) || port < 1 || port > 65535)) add(field, `Ports go from 1 to 65535; ${port} is not one`);
    }
    if (to !== null && from === null) add('destPortFrom', 'A port range needs its first port (or clear both for all ports)');
    if (from !== null && to !== null && to < from) add('destPortTo', `The port range ends before it starts (${from} to ${to})`);
  }
  return problems;
}

/** One rule of a security group. */
@Entity('security_rule')
@Resource({ label: 'Security rule', group: 'Scaleway', titleField: 'ipRange', validate: ruleProblems })
export class SecurityRule extends ProviderResource {
  @RefField('SecurityGroup', { nullable: false, onDelete: 'CASCADE', summary: true, label: 'Security group' })
  securityGroupId: string;

  @EnumField(PROTOCOLS, { default: 'TCP', summary: true })
  protocol: (typeof PROTOCOLS)[number];

  @EnumField(DIRECTIONS, { default: 'inbound', summary: true })
  direction: (typeof DIRECTIONS)[number];

  @EnumField(RULE_ACTIONS, { default: 'accept', summary: true })
  action: (typeof RULE_ACTIONS)[number];

  /** CIDR, e.g. 0.0.0.0/0 or 203.0.113.4/32. */
  @StringField({ length: 64, default: '0.0.0.0/0', summary: true, label: 'IP range' })
  ipRange: string;

  @IntField({ nullable: true, min: 1, max: 65535, summary: true, label: 'Port from' })
  destPortFrom: number | null;

  @IntField({ nullable: true, min: 1, max: 65535, summary: true, label: 'Port to' })
  destPortTo: number | null;

  @IntField({ nullable: true, min: 1 })
  position: number | null;

  @BoolField({ default: true, readOnly: true })
  editable: boolean;
}
