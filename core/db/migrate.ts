import { Table, type DataSource, type QueryRunner } from 'typeorm';
import { MvError } from '../errors.js';
import type { MigrationClass } from '../module.js';
import { dialectOf } from './data-source.js';
import { placeholders } from './sql.js';

/** A module's migrations, as the runner sees them. */
export interface MigrationSet {
  module: string;
  migrations: { sqlite: MigrationClass[]; postgres: MigrationClass[] };
}

export interface AppliedMigration {
  module: string;
  name: string;
}

const TABLE = 'mv_migration';
/** Any constant of our own: the advisory lock that migrations take (see lockMigrations). */
const MIGRATION_LOCK = 7_317_001;

/**
 * Runs pending migrations module by module, in dependency order, all in one transaction: either every
 * pending migration is applied, or none is. The table records which module each migration belongs to,
 * so that a module can be purged by reverting its own. With `within`, runs on that query runner, in the
 * transaction its caller opened (module install: hooks and migrations commit or roll back together).
 */
export async function runMigrations(data: DataSource, sets: MigrationSet[], within?: QueryRunner): Promise<AppliedMigration[]> {
  if (within) return applyPending(data, within, sets);
  const runner = data.createQueryRunner();
  try {
    return await inMigrationTransaction(runner, () => applyPending(data, runner, sets));
  } finally {
    await runner.release();
  }
}

/** Reverts every applied migration of one module, newest first, in one transaction (uninstall --purge). */
export async function revertModuleMigrations(data: DataSource, set: MigrationSet, within?: QueryRunner): Promise<string[]> {
  if (within) return revertApplied(data, within, set);
  const runner = data.createQueryRunner();
  try {
    return await inMigrationTransaction(runner, () => revertApplied(data, runner, set));
  } finally {
    await runner.release();
  }
}

/** Names of migrations not applied yet. */
export async function pendingMigrations(data: DataSource, sets: MigrationSet[]): Promise<string[]> {
  const runner = data.createQueryRunner();
  try {
    await ensureTable(runner);
    return (await pendingIn(data, runner, sets)).map((m) => m.name);
  } finally {
    await runner.release();
  }
}

/**
 * One transaction for schema changes: SQLite's foreign keys are switched off first (which only works
 * outside a transaction) and back on after, whether `work` commits or rolls back.
 */
export async function inMigrationTransaction<T>(runner: QueryRunner, work: () => Promise<T>): Promise<T> {
  await runner.beforeMigration();
  await runner.startTransaction();
  try {
    const result = await work();
    await runner.commitTransaction();
    return result;
  } catch (error) {
    await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.afterMigration();
  }
}

async function applyPending(data: DataSource, runner: QueryRunner, sets: MigrationSet[]): Promise<AppliedMigration[]> {
  await lockMigrations(data, runner);
  const applied: AppliedMigration[] = [];
  for (const migration of await pendingIn(data, runner, sets)) {
    try {
      await migration.instance.up(runner);
    } catch (error) {
      throw new MvError('internal', `Migration ${migration.name} of ${migration.module} failed: ${(error as Error).message}`, undefined, { cause: error });
    }
    await runner.query(placeholders(data, `INSERT INTO "${TABLE}" ("name", "module", "timestamp", "executedAt") VALUES (?, ?, ?, ?)`), [
      migration.name,
      migration.module,
      migration.timestamp,
      new Date().toISOString(),
    ]);
    applied.push({ module: migration.module, name: migration.name });
  }
  return applied;
}

async function revertApplied(data: DataSource, runner: QueryRunner, set: MigrationSet): Promise<string[]> {
  await lockMigrations(data, runner);
  const rows: { name: string }[] = await runner.query(placeholders(data, `SELECT "name" FROM "${TABLE}" WHERE "module" = ?`), [set.module]);
  const done = new Set(rows.map((r) => r.name));
  const toRevert = ordered(set, dialectOf(data)).filter((m) => done.has(m.name)).reverse();
  for (const migration of toRevert) {
    await migration.instance.down(runner);
    await runner.query(placeholders(data, `DELETE FROM "${TABLE}" WHERE "name" = ?`), [migration.name]);
  }
  return toRevert.map((m) => m.name);
}

async function pendingIn(data: DataSource, runner: QueryRunner, sets: MigrationSet[]) {
  const done = new Set((await runner.query(`SELECT "name" FROM "${TABLE}"`)).map((row: { name: string }) => row.name));
  return sets.flatMap((set) => ordered(set, dialectOf(data)).filter((m) => !done.has(m.name)).map((m) => ({ ...m, module: set.module })));
}

function ordered(set: MigrationSet, dialect: 'sqlite' | 'postgres') {
  return set.migrations[dialect]
    .map((Migration) => {
      const instance = new Migration();
      const name = instance.name ?? Migration.name;
      const timestamp = Number(/(\d{13})$/.exec(name)?.[1]);
      if (!timestamp) throw new MvError('invalid_request', `Migration ${name} of ${set.module}: its name must end in a 13-digit timestamp`);
      return { name, timestamp, instance };
    })
    .sort((a, b) => a.timestamp - b.timestamp);
}

/**
 * Inside the migration transaction, before anything is read: on PostgreSQL, instances starting together
 * wait for each other here (the lock goes with the transaction), then see what the first one applied.
 * SQLite (one machine) takes no such lock.
 */
async function lockMigrations(data: DataSource, runner: QueryRunner): Promise<void> {
  if (dialectOf(data) === 'postgres') await runner.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
  await ensureTable(runner);
}

async function ensureTable(runner: QueryRunner): Promise<void> {
  await runner.createTable(
    new Table({
      name: TABLE,
      columns: [
        { name: 'name', type: 'varchar', length: '255', isPrimary: true },
        { name: 'module', type: 'varchar', length: '64' },
        { name: 'timestamp', type: 'bigint' },
        { name: 'executedAt', type: 'varchar', length: '32' },
      ],
    }),
    true,
  );
}
