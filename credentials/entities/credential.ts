import { Entity, Index } from 'typeorm';
import { Matches } from 'class-validator';
import {
  BaseRecord,
  DateField,
  EnumField,
  IntField,
  JsonField,
  Resource,
  SecretField,
  StringField,
  TextField,
} from 'mv-infra/core';
import { AUTH_SCHEMES } from '../auth/schemes.js';
import { shapeOf } from '../credential-shape.js';

/** How a credential authenticates a request; each value is implemented in credentials/auth/. */
export const AUTHENTICATION_TYPES = [
  'API_KEY',
  'HEADER',
  'HTTP_BASIC',
  'OAUTH2',
  'SSH',
  'OVH_SIGNATURE',
  'EXOSCALE_HMAC',
  'OPENSTACK_KEYSTONE',
] as const;
export type AuthenticationType = (typeof AUTHENTICATION_TYPES)[number];

export const CREDENTIAL_STATUSES = ['ACTIVE', 'INACTIVE'] as const;

/**
 * An account on a provider. Fields as in the original mv-credentials, plus `extraParameters`; every
 * secret is sealed at rest and write-only.
 */
@Entity('credential')
@Index('IDX_credential_domain', ['domainName'])
@Resource({
  label: 'Credential',
  group: 'Credentials',
  titleField: 'domainName',
  read: 'operator',
  write: 'admin',
  // The authentication type decides which fields must be set.
  validate: (credential: Credential) => AUTH_SCHEMES[credential.authenticationType]?.check(shapeOf(credential)) ?? {},
})
export class Credential extends BaseRecord {
  /** The lookup key: the API host, optionally with a path (`api.scaleway.com`, `api.cloudflare.com/client/v4`). */
  @StringField({ length: 1000, summary: true, label: 'Domain or IP' })
  @Matches(/^[A-Za-z0-9.-]+(:\d+)?(\/[\w./-]*)?$/, { message: 'domainName must be a host name or IP, optionally with a port and a path, without scheme' })
  domainName: string;

  @StringField({ length: 255, nullable: true, summary: true })
  username: string | null;

  @SecretField()
  password: string | null;

  @SecretField()
  token: string | null;

  @SecretField({ label: 'Refresh token' })
  refreshToken: string | null;

  @DateField({ nullable: true, label: 'Token expiry' })
  tokenExpiry: Date | null;

  @EnumField(AUTHENTICATION_TYPES, { default: 'API_KEY', summary: true, label: 'Authentication type' })
  authenticationType: AuthenticationType;

  /** Header used by API_KEY and HEADER. */
  @StringField({ length: 100, nullable: true, summary: true, label: 'Header key' })
  @Matches(/^[A-Za-z0-9-]+$/, { message: 'headerKey must be an HTTP header name' })
  headerKey: string | null;

  /**
   * HEADER's value template: `{{token}}`, `{{apiKey}}`, `{{username}}`, `{{password}}` are replaced;
   * Meveo's `#{entity.getToken()}` form is read the same way.
   */
  @StringField({ length: 1000, nullable: true, label: 'Header value template' })
  headerValue: string | null;

  @DateField({ nullable: true, readOnly: true, summary: true, label: 'Last connection' })
  lastConnection: Date | null;

  @EnumField(CREDENTIAL_STATUSES, { default: 'ACTIVE', summary: true })
  status: (typeof CREDENTIAL_STATUSES)[number];

  @SecretField({ label: 'Private key' })
  privateKey: string | null;

  @TextField({ nullable: true, label: 'Public key' })
  publicKey: string | null;

  @IntField({ nullable: true, min: 0 })
  credit: number | null;

  @SecretField({ label: 'API key' })
  apiKey: string | null;

  @SecretField({ label: 'Password secret' })
  passwordSecret: string | null;

  /** Scheme-specific settings: OAuth2 `tokenUrl`/`clientId`, Keystone `authUrl`/`projectId`, ... */
  @JsonField({ of: 'object', label: 'Extra parameters' })
  extraParameters: Record<string, string> | null;
}
