import { Entity } from 'typeorm';
import { BoolField, EnumField, IntField, RefField, Resource, StringField } from 'mv-infra/core';
import { ProviderResource } from './provider-resource.js';

export const PROTOCOLS = ['TCP', 'UDP', 'ICMP', 'ANY'] as const;
export const DIRECTIONS = ['inbound', 'outbound'] as const;
export const RULE_ACTIONS = ['accept', 'drop'] as const;

/** One rule of a security group. */
@Entity('security_rule')
@Resource({ label: 'Security rule', group: 'Scaleway', titleField: 'ipRange' })
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
