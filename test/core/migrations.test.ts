import { afterEach, describe, expect, it } from 'vitest';
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

  it('refuse to start on pending migrations when asked not to apply them', async () => {
    db = await testDatabase(dialect);
    await expect(Runtime.start({ config: db.config(), logger: silentLogger, modules: await bundledModules(), schema: db.schema, migrate: false })).rejects.toThrow(
      /The database needs migrations \(CoreInit\d+, .*CredentialsInit\d+, InfrastructureInit\d+.*\): run `mvctl migrate`/,
    );
  });
});
