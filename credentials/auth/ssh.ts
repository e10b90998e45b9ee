import type { AuthScheme } from './scheme.js';
import { requireFields } from './scheme.js';

/** A key pair for logging in to servers; it authenticates no API call, so it has no signer. */
export const ssh: AuthScheme = {
  type: 'SSH',
  check: (c) => requireFields(c, [{ field: 'privateKey', set: c.secretsSet.has('privateKey'), why: 'for SSH' }]),
};
