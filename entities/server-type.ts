import { Entity, Index } from 'typeorm';
import { BaseRecord, BigIntField, BoolField, EnumField, IntField, NumberField, RefField, Resource, StringField } from 'mv-infra/core';

export const AVAILABILITIES = ['available', 'scarce', 'shortage'] as const;

/** A commercial server type in one zone, with its price and constraints (filled by populateProviderFields). */
@Entity('server_type')
@Index(['serviceProviderId', 'zone', 'name'], { unique: true })
@Resource({ label: 'Server type', group: 'Scaleway', readOnly: true })
export class ServerType extends BaseRecord {
  @RefField('ServiceProvider', { nullable: false, onDelete: 'CASCADE', label: 'Provider', index: false })
  serviceProviderId: string;

  @StringField({ length: 64, summary: true })
  name: string;

  @StringField({ length: 32, summary: true })
  zone: string;

  @IntField({ summary: true, label: 'CPUs' })
  ncpus: number;

  @BigIntField({ summary: true, label: 'RAM (bytes)' })
  ram: number;

  @StringField({ length: 16 })
  arch: string;

  @IntField({ default: 0, label: 'GPUs' })
  gpu: number;

  @NumberField({ summary: true, label: 'Hourly price (€)' })
  hourlyPrice: number;

  @NumberField({ summary: true, label: 'Monthly price (€)' })
  monthlyPrice: number;

  /** Bounds of the total size of local volumes, bytes; a maximum of 0 means no local storage. */
  @BigIntField({ default: 0, label: 'Local volumes min (bytes)' })
  minLocalVolumesSize: number;

  @BigIntField({ default: 0, label: 'Local volumes max (bytes)' })
  maxLocalVolumesSize: number;

  @BoolField({ default: true, label: 'Block storage' })
  blockStorage: boolean;

  @EnumField(AVAILABILITIES, { default: 'available', summary: true })
  availability: (typeof AVAILABILITIES)[number];

  @BoolField({ default: false, label: 'End of service' })
  endOfService: boolean;
}
