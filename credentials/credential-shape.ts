import { fieldsOf } from 'mv-infra/core';
import { Credential } from './entities/credential.js';
import type { CredentialShape, SecretName } from './auth/scheme.js';

let secretNames: readonly SecretName[] | undefined;

/** The credential's secret fields, as the entity declares them (read at first use: the entity imports this file). */
export function secretFields(): readonly SecretName[] {
  return (secretNames ??= fieldsOf(Credential)
    .filter((field) => field.secret)
    .map((field) => field.name as SecretName));
}

/** Which secrets a credential holds, without opening any. */
export function shapeOf(credential: Partial<Credential>): CredentialShape {
  return {
    username: credential.username,
    headerKey: credential.headerKey,
    headerValue: credential.headerValue,
    extraParameters: credential.extraParameters,
    secretsSet: new Set(secretFields().filter((name) => typeof credential[name] === 'string' && credential[name] !== '')),
  };
}
