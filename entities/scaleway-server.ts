import { Entity } from 'typeorm';
import { BigIntField, BoolField, EnumField, JsonField, Resource, StringField } from 'mv-infra/core';
import { Server } from './server.js';

export const SCALEWAY_BOOT_TYPES = ['local', 'bootscript', 'rescue'] as const;
export const ROOT_VOLUME_TYPES = ['sbs_volume', 'l_ssd'] as const;

/** An Instance server on Scaleway. Its volumes are the ServerVolume records pointing at it (the boot one first). */
@Entity('scaleway_server')
@Resource({ label: 'Scaleway server', group: 'Scaleway' })
export class ScalewayServer extends Server {
  @BoolField({ default: true, label: 'Dynamic IP required' })
  dynamicIpRequired: boolean;

  @BoolField({ default: false, label: 'Enable IPv6' })
  enableIpv6: boolean;

  @StringField({ length: 64, nullable: true, readOnly: true, label: 'IPv6 address' })
  ipv6Address: string | null;

  /** Protected servers cannot be deleted or terminated until unprotected. */
  @BoolField({ default: false, label: 'Protected' })
  isProtected: boolean;

  @EnumField(SCALEWAY_BOOT_TYPES, { default: 'local', label: 'Boot type' })
  bootType: (typeof SCALEWAY_BOOT_TYPES)[number];

  /** SBS (Block Storage) is the default for new servers; l_ssd is the server's local disk. */
  @EnumField(ROOT_VOLUME_TYPES, { default: 'sbs_volume', label: 'Root volume type' })
  rootVolumeType: (typeof ROOT_VOLUME_TYPES)[number];

  @StringField({ length: 16, nullable: true, readOnly: true })
  arch: string | null;

  @StringField({ length: 64, nullable: true, readOnly: true, label: 'Placement group' })
  placementGroup: string | null;

  @JsonField({ readOnly: true })
  maintenances: unknown[] | null;

  @JsonField({ readOnly: true, label: 'Private NICs' })
  privateNics: unknown[] | null;

  @BigIntField({ nullable: true, readOnly: true, label: 'Local volumes size (bytes)' })
  totalLocalVolumesSize: number | null;
}
