import { defineModule } from 'mv-infra/core';
import { verifyCredential } from './actions/verify-credential.js';
import { Credentials } from './credential-service.js';
import { Credential } from './entities/credential.js';
import { CredentialsInit1732320000000 as SqliteInit } from './migrations/sqlite/1732320000000-credentials-init.js';
import { CredentialsInit1732320000000 as PostgresInit } from './migrations/postgres/1732320000000-credentials-init.js';

export { Credential, AUTHENTICATION_TYPES, type AuthenticationType } from './entities/credential.js';
export type { Credentials, Verifier, Refresher, HostResolver } from './credential-service.js';

/** mv-credentials: knows nothing of the modules that use it; they reach it through its `credentials` service. */
export default defineModule({
  entities: [Credential],
  actions: [verifyCredential],
  migrations: { sqlite: [SqliteInit], postgres: [PostgresInit] },
  services: { credentials: (host) => new Credentials(host) },
});
