import { Entity } from 'typeorm';
import { BigIntField, BoolField, EnumField, IntField, RefField, Resource, StringField } from 'mv-infra/core';
import { ProviderResource } from './provider-resource.js';

export const VOLUME_KINDS = ['volume', 'snapshot'] as const;
/** Instance volume types, plus SBS volumes and snapshots of the Block Storage API. */
export const SCALEWAY_VOLUME_TYPES = ['sbs_volume', 'l_ssd', 'scratch', 'b_ssd', 'unified', 'sbs_snapshot'] as const;
export type ScalewayVolumeType = (typeof SCALEWAY_VOLUME_TYPES)[number];

/**
 * A disk (or a snapshot of one, as taken by a backup). Local volumes can only be renamed; block volumes
 * can also grow; a volume attached to a server cannot be deleted.
 */
@Entity('server_volume')
@Resource({ label: 'Server volume', group: 'Scaleway' })
export class ServerVolume extends ProviderResource {
  @StringField({ length: 255, summary: true })
  name: string;

  @EnumField(VOLUME_KINDS, { default: 'volume', summary: true })
  kind: (typeof VOLUME_KINDS)[number];

  @EnumField(SCALEWAY_VOLUME_TYPES, { default: 'sbs_volume', summary: true, label: 'Volume type' })
  volumeType: ScalewayVolumeType;

  /** Bytes. */
  @BigIntField({ nullable: true, min: 1, summary: true, label: 'Size (bytes)' })
  size: number | null;

  /** Block volumes: 5000 or 15000 IOPS. */
  @IntField({ nullable: true, min: 0, label: 'IOPS' })
  iops: number | null;

  /** Create from this snapshot (provider id) instead of empty. */
  @StringField({ length: 64, nullable: true, label: 'Base snapshot' })
  baseSnapshot: string | null;

  @BoolField({ default: false, readOnly: true, label: 'Boot volume' })
  isBoot: boolean;

  @RefField('ScalewayServer', { readOnly: true, label: 'Server', summary: true })
  serverId: string | null;

  /** The image this snapshot belongs to (backups). */
  @RefField('ServerImage', { readOnly: true, label: 'Image', onDelete: 'CASCADE' })
  imageId: string | null;

  @StringField({ length: 32, nullable: true, readOnly: true, summary: true })
  state: string | null;
}
