import { Entity } from 'typeorm';
import { EnumField, RefField, Resource, StringField } from 'mv-infra/core';
import { ProviderResource } from './provider-resource.js';

export const IP_TYPES = ['routed_ipv4', 'routed_ipv6'] as const;

/** A flexible public IP: reserved in a zone, attached to at most one server. */
@Entity('public_ip')
@Resource({ label: 'Public IP', group: 'Scaleway', titleField: 'address' })
export class PublicIp extends ProviderResource {
  @StringField({ length: 64, nullable: true, readOnly: true, summary: true })
  address: string | null;

  @EnumField(IP_TYPES, { default: 'routed_ipv4', summary: true })
  type: (typeof IP_TYPES)[number];

  @StringField({ length: 64, nullable: true, readOnly: true })
  prefix: string | null;

  /** Reverse DNS name. */
  @StringField({ length: 255, nullable: true })
  reverse: string | null;

  @RefField('ScalewayServer', { readOnly: true, summary: true, label: 'Server' })
  serverId: string | null;

  @StringField({ length: 32, nullable: true, readOnly: true, summary: true })
  state: string | null;
}
