import { Entity } from 'typeorm';
import { IsUrl } from 'class-validator';
import { BaseRecord, EnumField, IntField, JsonField, RefField, Resource, StringField, TextField } from 'mv-infra/core';

export const PROVIDER_CODES = ['SCALEWAY', 'OVH', 'CLOUDFLARE', 'EXOSCALE'] as const;
export type ProviderCode = (typeof PROVIDER_CODES)[number];

/** Where each provider's API lives: the credential goes there unless the record lists other hosts. */
export const DEFAULT_API_HOSTS: Record<ProviderCode, string[]> = {
  SCALEWAY: ['api.scaleway.com'],
  OVH: ['eu.api.ovh.com', 'ca.api.ovh.com', 'api.us.ovhcloud.com', '*.cloud.ovh.net'],
  CLOUDFLARE: ['api.cloudflare.com'],
  EXOSCALE: ['*.exoscale.com'],
};

/**
 * A provider account as the tool uses it: which API, which zones or regions, which credential, where that
 * credential may be sent, what to import, and how hard to call the API.
 */
@Entity('service_provider')
@Resource({ label: 'Service provider', group: 'Providers', titleField: 'name', write: 'admin' })
export class ServiceProvider extends BaseRecord {
  @StringField({ length: 100, unique: true, summary: true, description: 'A name for this account, e.g. "Scaleway production"' })
  name: string;

  @EnumField(PROVIDER_CODES, { summary: true, label: 'Provider' })
  code: ProviderCode;

  @TextField({ nullable: true })
  description: string | null;

  @StringField({ length: 500, summary: true, label: 'API base URL', description: 'e.g. https://api.scaleway.com' })
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }, { message: 'apiBaseUrl must be a URL such as https://api.scaleway.com' })
  apiBaseUrl: string;

  @JsonField({ of: 'string[]', summary: true, label: 'Zones or regions', description: 'e.g. ["fr-par-1", "nl-ams-1"]' })
  zones: string[] | null;

  @RefField('Credential', { summary: true, description: 'The credential used to call this provider' })
  credentialId: string | null;

  /** The only hosts the credential is sent to; a base URL edited to point elsewhere gets no secret. */
  @JsonField({ of: 'string[]', label: 'Allowed API hosts', description: 'Hosts the credential may be sent to; empty: the provider’s official API hosts. "*.example.com" allows sub-domains' })
  allowedApiHosts: string[] | null;

  /** Project new resources go to when the record names none (Scaleway project, OVH project, ...). */
  @StringField({ length: 64, nullable: true, label: 'Default project' })
  defaultProject: string | null;

  /** Sync imports only resources whose name starts with this (empty: everything), as the original's "dev-" filter. */
  @StringField({ length: 100, nullable: true, default: 'dev-', label: 'Import name prefix' })
  importNamePrefix: string | null;

  @IntField({ default: 20, min: 1, max: 1000, label: 'Requests per second' })
  requestsPerSecond: number;

  @IntField({ default: 20, min: 1, max: 1000, label: 'Request burst' })
  requestBurst: number;

  @IntField({ default: 8, min: 1, max: 100, label: 'Concurrent requests' })
  maxConcurrentRequests: number;
}

/** The hosts a provider's credential may be sent to. */
export function allowedHostsOf(provider: ServiceProvider): string[] {
  return provider.allowedApiHosts?.length ? provider.allowedApiHosts : DEFAULT_API_HOSTS[provider.code];
}
