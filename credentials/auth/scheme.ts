import type { FieldErrors, OutgoingRequest } from 'mv-infra/core';
import type { AuthenticationType } from '../entities/credential.js';

/** A credential with its secrets openable on demand (never all at once, never logged). */
export interface OpenCredential {
  id: string;
  domainName: string;
  username: string | null;
  headerKey: string | null;
  headerValue: string | null;
  tokenExpiry: Date | null;
  extraParameters: Record<string, string>;
  secret(field: SecretName): string | undefined;
}

export type SecretName = 'password' | 'token' | 'refreshToken' | 'apiKey' | 'passwordSecret' | 'privateKey';

/** What a credential's fields say before any secret is opened: which are set. */
export interface CredentialShape {
  username?: string | null;
  headerKey?: string | null;
  headerValue?: string | null;
  extraParameters?: Record<string, string> | null;
  /** Secret fields that hold a value. */
  secretsSet: ReadonlySet<SecretName>;
}

export interface RefreshedToken {
  token: string;
  tokenExpiry: Date;
  refreshToken?: string;
}

/** An authentication type: what it needs, how it signs a request, and how it renews its token. */
export interface AuthScheme {
  type: AuthenticationType;
  /** Field-level problems that make the credential unusable with this type. */
  check(credential: CredentialShape): FieldErrors;
  /** Adds the credential to a request. Absent for types that do not authenticate HTTP calls (SSH). */
  sign?(credential: OpenCredential, request: OutgoingRequest): void | Promise<void>;
  /** Gets a fresh token when the stored one expired (or is about to). */
  refresh?(credential: OpenCredential, fetch: TokenFetch): Promise<RefreshedToken>;
}

/** The HTTP call a refresher makes, on the host's provider HTTP layer. */
export type TokenFetch = (request: {
  url: string;
  method: 'POST';
  body: unknown;
  contentType?: string;
  call: string;
}) => Promise<{ status: number; data: unknown; headers: Record<string, string> }>;

/** Collects "field: is required" problems for the fields a scheme needs. */
export function requireFields(credential: CredentialShape, needs: { field: string; set: boolean; why: string }[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const need of needs) if (!need.set) (errors[need.field] ??= []).push(`is required ${need.why}`);
  return errors;
}
