import type { MigrationClass } from '../module.js';
import { CoreInit1732310000000 as SqliteInit } from './sqlite/1732310000000-core-init.js';
import { CoreInit1732310000000 as PostgresInit } from './postgres/1732310000000-core-init.js';
import { CoreAdmin1795390530256 as SqliteAdmin } from './sqlite/1795390530256-core-admin.js';
import { CoreAdmin1795390530256 as PostgresAdmin } from './postgres/1795390530256-core-admin.js';
import { CoreJobErrorCode1795394414003 as SqliteJobErrorCode } from './sqlite/1795394414003-core-job-error-code.js';
import { CoreJobErrorCode1795394414003 as PostgresJobErrorCode } from './postgres/1795394414003-core-job-error-code.js';

/** The host's own tables (jobs, users, tokens, then the audit log and back-office sessions, ...), per dialect, oldest first. */
export const CORE_MIGRATIONS: { sqlite: MigrationClass[]; postgres: MigrationClass[] } = {
  sqlite: [SqliteInit, SqliteAdmin, SqliteJobErrorCode],
  postgres: [PostgresInit, PostgresAdmin, PostgresJobErrorCode],
};
