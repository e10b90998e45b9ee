import { Entity } from 'typeorm';
import { BoolField, Resource, StringField, TextField } from 'mv-infra/core';
import { ProviderResource } from './provider-resource.js';

/**
 * A kernel and initrd a server could boot with. Scaleway removed bootscripts in 2024; the entity stays so
 * that imported history keeps its meaning, and its list action says so when the API answers 404.
 */
@Entity('bootscript')
@Resource({ label: 'Bootscript', group: 'Scaleway', titleField: 'title', readOnly: true })
export class Bootscript extends ProviderResource {
  @StringField({ length: 255, summary: true })
  title: string;

  @StringField({ length: 16, nullable: true, summary: true })
  arch: string | null;

  @TextField({ nullable: true, label: 'Boot command arguments' })
  bootcmdargs: string | null;

  @StringField({ length: 500, nullable: true })
  dtb: string | null;

  @StringField({ length: 500, nullable: true })
  initrd: string | null;

  @StringField({ length: 500, nullable: true })
  kernel: string | null;

  @BoolField({ default: false, label: 'Default' })
  isDefault: boolean;

  @BoolField({ default: false, label: 'Public' })
  isPublic: boolean;
}
