import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import type { TestDatabase } from '../support/runtime.js';

export { mvctl, type CliResult } from '../support/mvctl.js';

export const HOST_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The driver the host uses for SQLite (it ships no types; this is the little the tests need). */
interface SqliteStatement {
  reader: boolean;
  run(): unknown;
  all(): Record<string, unknown>[];
}
const Database = createRequire(import.meta.url)('better-sqlite3') as new (file: string, options: { fileMustExist: boolean }) => {
  prepare(sql: string): SqliteStatement;
  close(): void;
};
export const FIXTURES = path.join(HOST_ROOT, 'test/fixtures/git-modules');

/** A git repository: a working copy, and the bare repository it pushes to, which tests install from. */
export class GitRepo {
  readonly work: string;
  readonly bare: string;
  readonly url: string;

  constructor(root: string, name: string) {
    this.work = path.join(root, 'work', name);
    this.bare = path.join(root, 'repos', `${name}.git`);
    this.url = pathToFileURL(this.bare).href;
    fs.mkdirSync(this.work, { recursive: true });
    fs.mkdirSync(path.dirname(this.bare), { recursive: true });
    git(this.work, 'init', '--quiet', '--initial-branch=main');
    git(path.dirname(this.bare), 'init', '--quiet', '--bare', '--initial-branch=main', this.bare);
    git(this.work, 'remote', 'add', 'origin', this.bare);
  }

  /** Copies a directory (a fixture) into the working copy. */
  copy(from: string, to = '.'): this {
    fs.cpSync(from, path.join(this.work, to), { recursive: true });
    return this;
  }

  write(file: string, content: string): this {
    fs.mkdirSync(path.dirname(path.join(this.work, file)), { recursive: true });
    fs.writeFileSync(path.join(this.work, file), content);
    return this;
  }

  edit(file: string, change: (text: string) => string): this {
    return this.write(file, change(fs.readFileSync(path.join(this.work, file), 'utf8')));
  }

  /** Commits everything, tags it if asked, and pushes to the bare repository. */
  commit(message: string, tag?: string): string {
    git(this.work, 'add', '--all');
    git(this.work, '-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '--quiet', '-m', message);
    if (tag) git(this.work, 'tag', tag);
    git(this.work, 'push', '--quiet', '--tags', 'origin', 'main');
    return git(this.work, 'rev-parse', 'HEAD');
  }

  /** Pushes the last commit to another branch of the bare repository too. */
  branch(name: string): this {
    git(this.work, 'push', '--quiet', 'origin', `HEAD:refs/heads/${name}`);
    return this;
  }
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/**
 * This repository as a plain git checkout would have it: its tracked files (and new ones not ignored),
 * as they are in the working tree, under `subdir` only if given (then at the root of the new repository).
 */
export function copyOfThisRepository(repo: GitRepo, subdir?: string): GitRepo {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', ...(subdir ? ['--', subdir] : [])], { cwd: HOST_ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file && fs.statSync(path.join(HOST_ROOT, file), { throwIfNoEntry: false })?.isFile());
  for (const file of files) {
    const target = path.join(repo.work, subdir ? path.relative(subdir, file) : file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(HOST_ROOT, file), target);
  }
  return repo;
}

/** The environment of `mvctl` for a test database: its data dir, its PostgreSQL schema, no bundled module. */
export function cliEnv(db: TestDatabase, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, MV_DATA_DIR: db.dataDir, MV_BUNDLED_MODULES: 'none', LOG_LEVEL: 'warn', ...extra };
  delete env.DATABASE_URL;
  delete env.MV_MASTER_KEY;
  if (db.schema) env.DATABASE_URL = schemaUrl(db.schema);
  return env;
}

/** DATABASE_URL with the suite's schema first on the search path: how a separate process gets it. */
export function schemaUrl(schema: string): string {
  const base = process.env.DATABASE_URL!;
  return `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}


export interface Snapshot {
  files: string[];
  state: string | null;
  tables: Record<string, number>;
  migrations: string[];
}

/**
 * Everything an operation may change: the data dir's files, the state file, the tables and their row
 * counts, the applied migrations. Not the log (`logs/`): it records every operation, failed ones too.
 */
export async function snapshot(db: TestDatabase): Promise<Snapshot> {
  const stateFile = path.join(db.dataDir, 'modules', 'state.json');
  return withDatabase(db, async (run) => {
    const tables = await tableCountsWith(db, run);
    return {
      files: listFiles(db.dataDir).filter((file) => !file.startsWith('logs/')),
      state: fs.existsSync(stateFile) ? fs.readFileSync(stateFile, 'utf8') : null,
      tables,
      migrations: 'mv_migration' in tables ? (await run('SELECT "module", "name" FROM "mv_migration" ORDER BY "name"')).map((r) => `${r.module}:${r.name}`) : [],
    };
  });
}

function listFiles(dir: string, prefix = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !/-(wal|shm)$/.test(entry.name))
    .flatMap((entry) => {
      const relative = path.posix.join(prefix, entry.name);
      return entry.isDirectory() ? [`${relative}/`, ...listFiles(path.join(dir, entry.name), relative)] : [relative];
    })
    .sort();
}

export function tableCounts(db: TestDatabase): Promise<Record<string, number>> {
  return withDatabase(db, (run) => tableCountsWith(db, run));
}

async function tableCountsWith(db: TestDatabase, run: Query): Promise<Record<string, number>> {
  const names =
    db.dialect === 'postgres'
      ? (await run(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = '${db.schema}'`)).map((r) => r.name as string)
      : (await run(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)).map((r) => r.name as string);
  const counts: Record<string, number> = {};
  for (const name of names.sort()) counts[name] = Number((await run(`SELECT COUNT(*) AS n FROM "${name}"`))[0].n);
  return counts;
}

type Query = (sql: string) => Promise<Record<string, unknown>[]>;

/** A query on the test database, from outside the host (as an operator would look). */
export function query(db: TestDatabase, sql: string): Promise<Record<string, unknown>[]> {
  return withDatabase(db, (run) => run(sql));
}

/** One connection for a few queries; with no SQLite file yet, every query finds nothing. */
async function withDatabase<T>(db: TestDatabase, work: (run: Query) => Promise<T>): Promise<T> {
  if (db.dialect === 'postgres') {
    const client = new pg.Client({ connectionString: schemaUrl(db.schema!) });
    await client.connect();
    try {
      return await work(async (sql) => (await client.query(sql)).rows);
    } finally {
      await client.end();
    }
  }
  const file = path.join(db.dataDir, 'mv.sqlite');
  if (!fs.existsSync(file)) return work(async () => []);
  const sqlite = new Database(file, { fileMustExist: true });
  try {
    return await work(async (sql) => {
      const statement = sqlite.prepare(sql);
      if (statement.reader) return statement.all();
      statement.run();
      return [];
    });
  } finally {
    sqlite.close();
  }
}

/** The JSON lines of the data dir's log files (where `mvctl module ...` logs without --json), oldest first. */
export function readLogs(db: TestDatabase): Record<string, unknown>[] {
  const dir = path.join(db.dataDir, 'logs');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .sort()
    .flatMap((file) => fs.readFileSync(path.join(dir, file), 'utf8').split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

export function readState(db: TestDatabase): { modules: { code: string; version: string; source: string; dir: string; git?: { url: string; ref?: string; path?: string; commit: string } }[] } {
  return JSON.parse(fs.readFileSync(path.join(db.dataDir, 'modules', 'state.json'), 'utf8'));
}
