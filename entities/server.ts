import { BigIntField, JsonField, RefField, StringField } from 'mv-infra/core';
import { ProviderResource } from './provider-resource.js';

/**
 * A server at any provider (Meveo's `Server` super-template): provider-specific servers extend it, each in
 * its own table.
 */
export abstract class Server extends ProviderResource {
  @StringField({ length: 255, summary: true })
  name: string;

  /** The provider's server type, e.g. DEV1-S, PRO2-XS, b2-7. */
  @StringField({ length: 64, summary: true, label: 'Server type' })
  serverType: string;

  @StringField({ length: 32, nullable: true, readOnly: true, summary: true })
  state: string | null;

  @RefField('ServerImage', { label: 'Image' })
  imageId: string | null;

  @RefField('SecurityGroup', { label: 'Security group' })
  securityGroupId: string | null;

  /** Size of the root volume to create, in bytes. */
  @BigIntField({ nullable: true, min: 1, label: 'Root volume size (bytes)' })
  volumeSize: number | null;

  @StringField({ length: 64, nullable: true, readOnly: true, summary: true, label: 'Public IP' })
  publicIp: string | null;

  @StringField({ length: 64, nullable: true, readOnly: true, label: 'Private IP' })
  privateIp: string | null;

  @StringField({ length: 255, nullable: true, readOnly: true })
  hostname: string | null;

  /** What the provider allows on it now (power on, backup, ...). */
  @JsonField({ of: 'string[]', readOnly: true, label: 'Allowed actions' })
  allowedActions: string[] | null;

  @StringField({ length: 255, nullable: true, readOnly: true })
  location: string | null;
}
