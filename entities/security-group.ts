import { Entity } from 'typeorm';
import { BoolField, EnumField, Resource, StringField, TextField } from 'mv-infra/core';
import { ProviderResource } from './provider-resource.js';

export const POLICIES = ['accept', 'drop'] as const;

/** A firewall applied to servers: default policies and ordered rules (SecurityRule). */
@Entity('security_group')
@Resource({ label: 'Security group', group: 'Scaleway' })
export class SecurityGroup extends ProviderResource {
  @StringField({ length: 255, summary: true })
  name: string;

  @TextField({ nullable: true })
  description: string | null;

  @BoolField({ default: true })
  stateful: boolean;

  @EnumField(POLICIES, { default: 'accept', summary: true, label: 'Inbound default policy' })
  inboundDefaultPolicy: (typeof POLICIES)[number];

  @EnumField(POLICIES, { default: 'accept', summary: true, label: 'Outbound default policy' })
  outboundDefaultPolicy: (typeof POLICIES)[number];

  @BoolField({ default: false, readOnly: true, label: 'Project default' })
  projectDefault: boolean;

  /** SMTP blocked by the provider's non-editable rules. */
  @BoolField({ default: true, readOnly: true, label: 'Default security' })
  enableDefaultSecurity: boolean;

  @StringField({ length: 32, nullable: true, readOnly: true })
  state: string | null;
}
