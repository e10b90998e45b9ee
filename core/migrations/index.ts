import type { MigrationClass } from '../module.js';
import { CoreInit1732310000000 as SqliteInit } from './sqlite/1732310000000-core-init.js';
import { CoreInit1732310000000 as PostgresInit } from './postgres/1732310000000-core-init.js';

/** The host's own tables (jobs, users, tokens, ...), per dialect, oldest first. */
export const CORE_MIGRATIONS: { sqlite: MigrationClass[]; postgres: MigrationClass[] } = {
  sqlite: [SqliteInit],
  postgres: [PostgresInit],
};
