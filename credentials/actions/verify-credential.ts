import { defineAction } from 'mv-infra/core';
import type { Credentials } from '../credential-service.js';
import { Credential } from '../entities/credential.js';

/** Checks a credential against its provider (renewing its token first when it needs it) and records the connection. */
export const verifyCredential = defineAction({
  code: 'verifyCredential',
  label: 'Verify',
  entity: Credential,
  kind: 'bulk',
  description: 'Renews the token when it expired or is missing and the authentication type can, then makes a read-only call to the provider with this credential.',
  applicable: (credential) => credential.status === 'ACTIVE' || 'the credential is INACTIVE',
  async handler(ctx) {
    await ctx.progress(10, `Checking the credential for ${ctx.record.domainName}`);
    const found = await ctx.service<Credentials>('mv-credentials', 'credentials').verify(ctx.record.id, ctx.signal);
    await ctx.progress(100, 'Verified');
    return { message: `Credential for ${ctx.record.domainName} works: ${found}` };
  },
});
