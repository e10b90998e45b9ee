import type { Credential } from './entities/credential.js';
import type { CredentialShape, SecretName } from './auth/scheme.js';

export const SECRET_NAMES: readonly SecretName[] = ['password', 'token', 'refreshToken', 'apiKey', 'passwordSecret', 'privateKey'];

/** Which secrets a credential holds, without opening any. */
export function shapeOf(credential: Partial<Credential>): CredentialShape {
  return {
    username: credential.username,
    headerKey: credential.headerKey,
    headerValue: credential.headerValue,
    extraParameters: credential.extraParameters,
    secretsSet: new Set(SECRET_NAMES.filter((name) => typeof credential[name] === 'string' && credential[name] !== '')),
  };
}
