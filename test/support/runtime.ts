import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig, type Config } from '../../core/config.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { bundledLocations, loadModule } from '../../core/modules/loader.js';
import type { LoadedModule } from '../../core/registry.js';
import { Runtime } from '../../core/runtime.js';

export type Dialect = 'sqlite' | 'postgres';

/** PostgreSQL suites run when DATABASE_URL is set (CI sets it); SQLite always. */
export const DIALECTS: Dialect[] = process.env.DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestDatabase {
  dialect: Dialect;
  dataDir: string;
  /** The PostgreSQL schema of this suite. */
  schema?: string;
  config(overrides?: Partial<Config>): Config;
  drop(): Promise<void>;
}

/** A fresh data dir, and for PostgreSQL a fresh schema, so that suites running in parallel never meet. */
export async function testDatabase(dialect: Dialect): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-test-'));
  const schema = dialect === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;
  if (schema) await pgAdmin(`CREATE SCHEMA "${schema}"`);
  return {
    dialect,
    dataDir,
    schema,
    config: (overrides = {}) => ({
      ...loadConfig({ MV_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }),
      databaseUrl: dialect === 'postgres' ? process.env.DATABASE_URL : undefined,
      ...overrides,
    }),
    drop: async () => {
      if (schema) await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function pgAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export function bundledModules(): Promise<LoadedModule[]> {
  return Promise.all(bundledLocations().map(loadModule));
}

export interface StartOptions {
  modules?: LoadedModule[];
  worker?: boolean;
  logger?: Logger;
  config?: Partial<Config>;
}

/** A runtime on the test database: bundled modules unless told otherwise, no worker unless asked. */
export async function startRuntime(db: TestDatabase, options: StartOptions = {}): Promise<Runtime> {
  return Runtime.start({
    config: db.config({ jobLeaseMs: 2_000, workerConcurrency: 4, ...options.config }),
    logger: options.logger ?? silentLogger,
    modules: options.modules ?? (await bundledModules()),
    schema: db.schema,
    worker: options.worker ?? false,
  });
}
