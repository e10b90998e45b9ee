import { MvError } from 'mv-infra/core';
import type { AuthScheme } from './scheme.js';
import { requireFields } from './scheme.js';

/**
 * `X-Auth-Token: <Keystone token>`. The token lasts 24 h; renewing it (password authentication scoped to
 * the project, reading `X-Subject-Token` and `expires_at`) is provided by the OVHcloud provider, which
 * registers its refresher with the credential service.
 */
export const openstackKeystone: AuthScheme = {
  type: 'OPENSTACK_KEYSTONE',
  check: (c) =>
    requireFields(c, [
      { field: 'username', set: !!c.username, why: 'for OPENSTACK_KEYSTONE' },
      { field: 'password', set: c.secretsSet.has('password') || c.secretsSet.has('token'), why: 'for OPENSTACK_KEYSTONE (or a current token)' },
    ]),
  sign(credential, request) {
    const token = credential.secret('token');
    if (!token) throw new MvError('precondition_failed', `Credential ${credential.domainName} has no Keystone token yet`);
    request.headers['x-auth-token'] = token;
  },
};
