import { createHmac } from 'node:crypto';
import type { AuthScheme } from './scheme.js';
import { requireFields } from './scheme.js';

const VALIDITY_SECONDS = 600;

/**
 * Exoscale v2 request signature: HMAC-SHA256 with the API secret (passwordSecret) over
 * "METHOD path\nbody\nquery values sorted by name\n\nexpires", sent as
 * `Authorization: EXO2-HMAC-SHA256 credential=<key>[,signed-query-args=a;b],expires=<ts>,signature=<b64>`.
 */
export const exoscaleHmac: AuthScheme = {
  type: 'EXOSCALE_HMAC',
  check: (c) =>
    requireFields(c, [
      { field: 'apiKey', set: c.secretsSet.has('apiKey'), why: 'for EXOSCALE_HMAC (the API key)' },
      { field: 'passwordSecret', set: c.secretsSet.has('passwordSecret'), why: 'for EXOSCALE_HMAC (the API secret)' },
    ]),
  sign(credential, request) {
    const expires = Math.floor(Date.now() / 1000) + VALIDITY_SECONDS;
    const header = exoscaleAuthorization(request.method, request.url, request.body, credential.secret('apiKey') ?? '', credential.secret('passwordSecret') ?? '', expires);
    request.headers.authorization = header;
  },
};

export function exoscaleAuthorization(method: string, url: URL, body: string | undefined, key: string, secret: string, expires: number): string {
  // Only parameters with a single value are signed, as the reference client does.
  const names = [...new Set(url.searchParams.keys())].filter((name) => url.searchParams.getAll(name).length === 1).sort();
  const message = [
    `${method.toUpperCase()} ${url.pathname}`,
    body ?? '',
    names.map((name) => url.searchParams.get(name)).join(''),
    '',
    String(expires),
  ].join('\n');
  const signature = createHmac('sha256', secret).update(message).digest('base64');
  const signed = names.length ? `,signed-query-args=${names.join(';')}` : '';
  return `EXO2-HMAC-SHA256 credential=${key}${signed},expires=${expires},signature=${signature}`;
}
