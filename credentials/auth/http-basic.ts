import type { AuthScheme } from './scheme.js';
import { requireFields } from './scheme.js';

export const httpBasic: AuthScheme = {
  type: 'HTTP_BASIC',
  check: (c) =>
    requireFields(c, [
      { field: 'username', set: !!c.username, why: 'for HTTP_BASIC' },
      { field: 'password', set: c.secretsSet.has('password'), why: 'for HTTP_BASIC' },
    ]),
  sign(credential, request) {
    const pair = `${credential.username}:${credential.secret('password') ?? ''}`;
    request.headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  },
};
