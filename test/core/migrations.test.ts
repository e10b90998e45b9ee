import { afterEach, describe, expect, it } from 'vitest';
import { isMigrationClass, isMigrationFile } from '../../core/db/generate-migration.js';
import { pendingMigrations, runMigrations } from '../../core/db/migrate.js';
import { silentLogger } from '../../core/logger.js';
import { migrationSets, Runtime } from '../../core/runtime.js';
import { bundledModules, DIALECTS, startRuntime, testDatabase, type TestDatabase } from '../support/runtime.js';

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  let db: TestDatabase;
  let runtime: Runtime | undefined;
  afterEach(async () => {
    await runtime?.close();
    await db.drop();
  });

  it('produce exactly the schema the entities declare, and run once', async () => {
    db = await testDatabase(dialect);
    runtime = await startRuntime(db);
    // What TypeORM would still change to match the entities: nothing.
    const diff = await runtime.data.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((q) => q.query)).toEqual([]);
    const sets = migrationSets(runtime.registry);
    expect(await pendingMigrations(runtime.data, sets)).toEqual([]);
    expect(await runMigrations(runtime.data, sets)).toEqual([]);
    const recorded: { module: string }[] = await runtime.data.query(`SELECT "module", "name" FROM "mv_migration" ORDER BY "timestamp"`);
    expect(new Set(recorded.map((r) => r.module))).toEqual(new Set(['mv-core', 'mv-credentials', 'mv-infrastructure']));
  });

  it('are applied once when instances start together on an empty database', async () => {
    db = await testDatabase(dialect);
    const [a, b] = await Promise.all([startRuntime(db), startRuntime(db)]);
    try {
      const sets = migrationSets(a.registry);
      const recorded: { name: string }[] = await a.data.query(`SELECT "name" FROM "mv_migration"`);
      expect(recorded).toHaveLength(sets.reduce((n, set) => n + set.migrations[dialect].length, 0));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('refuse to start on pending migrations when asked not to apply them', async () => {
    db = await testDatabase(dialect);
    await expect(Runtime.start({ config: db.config(), logger: silentLogger, modules: await bundledModules(), schema: db.schema, migrate: false })).rejects.toThrow(
      /The database needs migrations \(CoreInit\d+, .*CredentialsInit\d+, InfrastructureInit\d+.*\): run `mvctl migrate`/,
    );
  });
});

describe('migration generator', () => {
  it('replaces only the migration of the name it generates', () => {
    expect(isMigrationClass('Core1795390530256', 'Core')).toBe(true);
    expect(isMigrationClass('CoreInit1732310000000', 'Core')).toBe(false);
    expect(isMigrationClass('CoreAdmin1795390530256', 'Core')).toBe(false);
    expect(isMigrationFile('1795394414003-job-error-code.ts', 'JobErrorCode')).toBe(true);
    expect(isMigrationFile('1795394414003-core-job-error-code.ts', 'JobErrorCode')).toBe(false);
    expect(isMigrationFile('1795394414003-core-job-error-code.ts', 'CoreJobErrorCode')).toBe(true);
    expect(isMigrationFile('1795394414003-core-job-error-code.ts.bak', 'CoreJobErrorCode')).toBe(false);
  });
});
