import type { AuthScheme, OpenCredential, SecretName } from './scheme.js';
import { requireFields } from './scheme.js';
import { secretFields } from '../credential-shape.js';

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}|#\{\s*entity\.get(\w+)\(\)\s*\}/g;

/**
 * One header built from a template, e.g. `Authorization: Bearer {{token}}`. Meveo's EL form
 * `#{entity.getToken()}` is read the same way, so credentials exported from Meveo keep working.
 */
export const header: AuthScheme = {
  type: 'HEADER',
  check: (c) =>
    requireFields(c, [
      { field: 'headerKey', set: !!c.headerKey, why: 'for HEADER' },
      { field: 'headerValue', set: !!c.headerValue, why: 'for HEADER' },
    ]),
  sign(credential, request) {
    request.headers[credential.headerKey!.toLowerCase()] = render(credential.headerValue!, credential);
  },
};

export function render(template: string, credential: OpenCredential): string {
  return template.replace(PLACEHOLDER, (_, plain: string | undefined, getter: string | undefined) => {
    const name = plain ?? getter!.charAt(0).toLowerCase() + getter!.slice(1);
    if ((secretFields() as readonly string[]).includes(name)) return credential.secret(name as SecretName) ?? '';
    if (name === 'username') return credential.username ?? '';
    if (name === 'domainName') return credential.domainName;
    return credential.extraParameters[name] ?? '';
  });
}
