import { Index } from 'typeorm';
import { BaseRecord, DateField, EnumField, JsonField, RefField, StringField } from 'mv-infra/core';

/** `managed`: created or adopted here, actions may change it. `observed`: imported by a sync, read-only until adopted. */
export const OWNERSHIPS = ['managed', 'observed'] as const;
export type Ownership = (typeof OWNERSHIPS)[number];

/**
 * What every resource living at a provider has: the provider account, its id there (unique per account
 * and zone), where it is, its tags, the provider's own dates, when we last read it, and who owns it.
 */
@Index(['serviceProviderId', 'zone', 'providerSideId'], { unique: true })
export abstract class ProviderResource extends BaseRecord {
  @RefField('ServiceProvider', { nullable: false, onDelete: 'RESTRICT', label: 'Provider', summary: true, index: false })
  serviceProviderId: string;

  /** The provider's id; null until the resource exists there. */
  @StringField({ length: 64, nullable: true, readOnly: true, label: 'Provider id' })
  providerSideId: string | null;

  @StringField({ length: 32, nullable: true, summary: true })
  zone: string | null;

  @StringField({ length: 64, nullable: true, description: 'Project id at the provider; the service provider’s default project when empty' })
  project: string | null;

  @JsonField({ of: 'string[]' })
  tags: string[] | null;

  @DateField({ nullable: true, readOnly: true, label: 'Created at the provider' })
  providerCreatedAt: Date | null;

  @DateField({ nullable: true, readOnly: true, label: 'Modified at the provider' })
  providerModifiedAt: Date | null;

  @DateField({ nullable: true, readOnly: true, label: 'Last sync' })
  lastSyncAt: Date | null;

  @EnumField(OWNERSHIPS, { default: 'managed', readOnly: true, description: 'observed: imported by a sync and left alone until adopted' })
  ownership: Ownership;
}

/** The tag that marks what we created, so that a retried create finds it instead of making a second one. */
export function ownerTag(recordId: string): string {
  return `mv-record=${recordId}`;
}
