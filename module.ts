import { defineModule } from 'mv-infra/core';
import { ServiceProvider } from './entities/service-provider.js';
import { InfrastructureInit1732320100000 as SqliteInit } from './migrations/sqlite/1732320100000-infrastructure-init.js';
import { InfrastructureInit1732320100000 as PostgresInit } from './migrations/postgres/1732320100000-infrastructure-init.js';

/** mv-infrastructure: providers, their resources and the actions that manage them. Depends on mv-credentials. */
export default defineModule({
  entities: [ServiceProvider],
  actions: [],
  migrations: { sqlite: [SqliteInit], postgres: [PostgresInit] },
});
