import { MvError } from 'mv-infra/core';
import type { AuthScheme } from './scheme.js';
import { requireFields } from './scheme.js';

/**
 * `Authorization: Bearer <token>`. When the token expires and a refresh token and `extraParameters.tokenUrl`
 * are set, a refresh_token grant (RFC 6749 §6) gets a new one, with `clientId`/`clientSecret` when given.
 */
export const oauth2: AuthScheme = {
  type: 'OAUTH2',
  check: (c) =>
    requireFields(c, [
      {
        field: 'token',
        set: c.secretsSet.has('token') || (c.secretsSet.has('refreshToken') && !!c.extraParameters?.tokenUrl),
        why: 'for OAUTH2 (or a refreshToken with extraParameters.tokenUrl)',
      },
    ]),
  sign(credential, request) {
    request.headers.authorization = `Bearer ${credential.secret('token') ?? ''}`;
  },
  async refresh(credential, fetch) {
    const tokenUrl = credential.extraParameters.tokenUrl;
    const refreshToken = credential.secret('refreshToken');
    if (!tokenUrl || !refreshToken) {
      throw new MvError('precondition_failed', 'The OAuth2 token expired and cannot be renewed: set refreshToken and extraParameters.tokenUrl');
    }
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
    if (credential.extraParameters.clientId) form.set('client_id', credential.extraParameters.clientId);
    const clientSecret = credential.secret('passwordSecret');
    if (clientSecret) form.set('client_secret', clientSecret);
    const response = await fetch({ url: tokenUrl, method: 'POST', body: form.toString(), contentType: 'application/x-www-form-urlencoded', call: 'refreshToken' });
    const data = response.data as { access_token?: string; expires_in?: number; refresh_token?: string };
    if (!data?.access_token) throw new MvError('provider_error', `The OAuth2 token endpoint answered without an access_token`);
    return {
      token: data.access_token,
      tokenExpiry: new Date(Date.now() + (data.expires_in ?? 3600) * 1000),
      refreshToken: data.refresh_token,
    };
  },
};
