/**
 * Writes a module's next migration for both dialects, from the difference between its entities and the
 * schema its existing migrations produce: `npm run migration:generate -- <module|mv-core> <Name>`.
 * Needs DATABASE_URL for the PostgreSQL half (a scratch schema is created and dropped).
 */
import 'reflect-metadata';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { CORE_ENTITIES, migrationSets } from '../runtime.js';
import { bundledLocations, loadModule } from '../modules/loader.js';
import { Registry } from '../registry.js';
import { SecretBox } from '../secrets.js';
import { HOST_ROOT } from '../paths.js';
import { openDataSource, type Dialect } from './data-source.js';
import { runMigrations } from './migrate.js';

async function main(): Promise<void> {
  const [moduleCode, name] = process.argv.slice(2);
  if (!moduleCode || !name || !/^[A-Z][A-Za-z0-9]*$/.test(name)) {
    console.error('usage: migration:generate <module code|mv-core> <PascalCaseName>');
    process.exit(2);
  }
  if (!process.env.DATABASE_URL) {
    console.error('DATABASE_URL must point at a PostgreSQL database (a scratch schema is used)');
    process.exit(2);
  }
  const registry = Registry.build(await Promise.all(bundledLocations().map(loadModule)));
  const chain = moduleCode === 'mv-core' ? [] : withDependencies(registry, moduleCode);
  const entities = [...CORE_ENTITIES, ...chain.flatMap((code) => registry.module(code)!.definition.entities)];
  const target = moduleCode === 'mv-core' ? path.join(HOST_ROOT, 'core') : registry.module(moduleCode)!.dir;
  // Regenerating an existing migration keeps its timestamp, so the entry point's import stays valid.
  const existing = ['sqlite', 'postgres']
    .flatMap((d) => (fs.existsSync(path.join(target, 'migrations', d)) ? fs.readdirSync(path.join(target, 'migrations', d)) : []))
    .find((f) => isMigrationFile(f, name));
  const timestamp = existing ? Number(existing.slice(0, 13)) : Date.now();
  const className = `${name}${timestamp}`;
  // Only migrations of the chain, minus any earlier version of the one being generated.
  const sets = migrationSets(registry)
    .filter((set) => set.module === 'mv-core' || chain.includes(set.module))
    .map((set) => ({
      module: set.module,
      migrations: {
        sqlite: set.migrations.sqlite.filter((m) => !isMigrationClass(m.name, name)),
        postgres: set.migrations.postgres.filter((m) => !isMigrationClass(m.name, name)),
      },
    }));
  for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
    const queries = await diff(dialect, entities, sets);
    if (!queries.up.length) {
      console.log(`${dialect}: no schema change`);
      continue;
    }
    const dir = path.join(target, 'migrations', dialect);
    fs.mkdirSync(dir, { recursive: true });
    for (const old of fs.readdirSync(dir).filter((f) => isMigrationFile(f, name))) fs.rmSync(path.join(dir, old));
    const file = path.join(dir, `${timestamp}-${kebab(name)}.ts`);
    fs.writeFileSync(file, render(className, queries));
    console.log(`${dialect}: wrote ${path.relative(HOST_ROOT, file)} (${queries.up.length} statements)`);
  }
  console.log(`Import ${className} in the module's entry point (migrations.sqlite / migrations.postgres).`);
}

function withDependencies(registry: Registry, code: string): string[] {
  const module = registry.module(code);
  if (!module) throw new Error(`No bundled module ${code}`);
  const dependencies = module.manifest.moduleDependencies.flatMap((d) => withDependencies(registry, d.code));
  return [...new Set([...dependencies, code])];
}

async function diff(dialect: Dialect, entities: Function[], sets: Parameters<typeof runMigrations>[1]) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-migration-'));
  const schema = `gen_${randomBytes(4).toString('hex')}`;
  const url = process.env.DATABASE_URL!;
  if (dialect === 'postgres') await admin(url, `CREATE SCHEMA "${schema}"`);
  const data = await openDataSource({
    databaseUrl: dialect === 'postgres' ? url : undefined,
    sqlitePath: path.join(scratch, 'gen.sqlite'),
    schema: dialect === 'postgres' ? schema : undefined,
    entities: entities as never,
    secrets: SecretBox.fromKey(Buffer.alloc(32)),
  });
  try {
    await runMigrations(data, sets);
    const log = await data.driver.createSchemaBuilder().log();
    // Generated SQL must not name the scratch schema: migrations run in whatever schema is current.
    const clean = (q: { query: string }) => q.query.replaceAll(`"${schema}".`, '');
    return { up: log.upQueries.map(clean), down: log.downQueries.reverse().map(clean) };
  } finally {
    await data.destroy();
    fs.rmSync(scratch, { recursive: true, force: true });
    if (dialect === 'postgres') await admin(url, `DROP SCHEMA "${schema}" CASCADE`);
  }
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function render(className: string, queries: { up: string[]; down: string[] }): string {
  const lines = (list: string[]) => list.map((q) => `    await queryRunner.query(\`${q.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${')}\`);`).join('\n');
  return `import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Generated by \`npm run migration:generate\`; edit only to add data changes. */
export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${lines(queries.up)}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${lines(queries.down)}
  }
}
`;
}

/**
 * An earlier version of the migration being generated: exactly `<Name><timestamp>`, so that generating
 * `Core` leaves `CoreInit…` alone.
 */
export function isMigrationClass(className: string, name: string): boolean {
  return new RegExp(`^${name}\\d{13}$`).test(className);
}

/** Its file: exactly `<timestamp>-<kebab-name>.ts`, so that `JobErrorCode` leaves `…-core-job-error-code.ts` alone. */
export function isMigrationFile(file: string, name: string): boolean {
  return new RegExp(`^\\d{13}-${kebab(name)}\\.ts$`).test(file);
}

function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
