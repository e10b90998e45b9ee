import { createHash } from 'node:crypto';
import type { AuthScheme } from './scheme.js';
import { requireFields } from './scheme.js';

/**
 * OVH API signature: application key (apiKey), application secret (passwordSecret), consumer key (token).
 * `X-Ovh-Signature = "$1$" + sha1(AS+CK+METHOD+URL+BODY+TIMESTAMP)` joined with "+". The timestamp uses
 * `extraParameters.timeOffset` (server minus local clock, seconds) when known.
 */
export const ovhSignature: AuthScheme = {
  type: 'OVH_SIGNATURE',
  check: (c) =>
    requireFields(c, [
      { field: 'apiKey', set: c.secretsSet.has('apiKey'), why: 'for OVH_SIGNATURE (the application key)' },
      { field: 'passwordSecret', set: c.secretsSet.has('passwordSecret'), why: 'for OVH_SIGNATURE (the application secret)' },
      { field: 'token', set: c.secretsSet.has('token'), why: 'for OVH_SIGNATURE (the consumer key)' },
    ]),
  sign(credential, request) {
    const applicationKey = credential.secret('apiKey') ?? '';
    const consumerKey = credential.secret('token') ?? '';
    const timestamp = String(Math.round(Date.now() / 1000) + Number(credential.extraParameters.timeOffset ?? 0));
    const parts = [credential.secret('passwordSecret') ?? '', consumerKey, request.method.toUpperCase(), request.url.toString(), request.body ?? '', timestamp];
    request.headers['x-ovh-application'] = applicationKey;
    request.headers['x-ovh-consumer'] = consumerKey;
    request.headers['x-ovh-timestamp'] = timestamp;
    request.headers['x-ovh-signature'] = '$1$' + createHash('sha1').update(parts.join('+')).digest('hex');
  },
};
