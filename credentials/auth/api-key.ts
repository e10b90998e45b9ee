import type { AuthScheme } from './scheme.js';
import { requireFields } from './scheme.js';

/** The API key (or the token) in one header: `X-Auth-Token` for Scaleway, `X-API-KEY` by default. */
export const apiKey: AuthScheme = {
  type: 'API_KEY',
  check: (c) =>
    requireFields(c, [{ field: 'apiKey', set: c.secretsSet.has('apiKey') || c.secretsSet.has('token'), why: 'for API_KEY (or set token)' }]),
  sign(credential, request) {
    request.headers[(credential.headerKey || 'X-API-KEY').toLowerCase()] = credential.secret('apiKey') ?? credential.secret('token') ?? '';
  },
};
