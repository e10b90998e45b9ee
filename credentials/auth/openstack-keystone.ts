import { MvError } from 'mv-infra/core';
import type { AuthScheme } from './scheme.js';
import { requireFields } from './scheme.js';

/**
 * `X-Auth-Token: <Keystone token>`. The token lasts 24 h. Renewing it (password authentication scoped to
 * the project, reading `X-Subject-Token` and `expires_at`) belongs to the OVHcloud provider, which will
 * plug it in through the credential service's refresher hook (`registerRefresher`); no provider does yet,
 * so until then a Keystone credential needs a current token.
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
