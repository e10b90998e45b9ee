import { Entity } from 'typeorm';
import { BoolField, Resource, StringField } from 'mv-infra/core';
import { ProviderResource } from './provider-resource.js';

/**
 * An image servers boot from: a public one from the catalogue, or a backup of one of our servers, whose
 * snapshots are the ServerVolume records pointing at it (the boot one is its root).
 */
@Entity('server_image')
@Resource({ label: 'Server image', group: 'Scaleway', readOnly: true })
export class ServerImage extends ProviderResource {
  @StringField({ length: 255, summary: true })
  name: string;

  /** Marketplace label, e.g. `ubuntu_noble`: what the provider resolves to the right image in each zone. */
  @StringField({ length: 100, nullable: true, summary: true })
  label: string | null;

  @StringField({ length: 16, nullable: true, summary: true })
  arch: string | null;

  @BoolField({ default: false, summary: true, label: 'Public' })
  isPublic: boolean;

  /** Provider id of the server a backup was taken from. */
  @StringField({ length: 64, nullable: true, label: 'From server' })
  fromServer: string | null;

  @StringField({ length: 32, nullable: true, summary: true })
  state: string | null;
}
