import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, testDatabase, type TestDatabase } from '../support/runtime.js';
import { cliEnv, FIXTURES, GitRepo, mvctl, query, readLogs, readState, snapshot } from './support.js';

/**
 * test-notes through its versions (test/fixtures/git-modules/notes): 1.0.0 with lifecycle hooks, 1.1.0
 * adding a migration, 1.2.0 adding one that fails. Hooks log at info level, in the data dir's log.
 */
let tmp: string;
let notes: GitRepo;
const commits: Record<string, string> = {};

/** Adds a migration of notes-upgrades/ to the module and bumps its version. */
function release(version: string, migration: string, className: string): void {
  notes
    .copy(path.join(FIXTURES, 'notes-upgrades', `${migration}.ts`), `migrations/${migration}.ts`)
    .edit('migrations/index.ts', (text) => `${text}import { ${className} } from './${migration}.js';\nMIGRATIONS.push(${className});\n`)
    .edit('module.json', (text) => text.replace(/"currentVersion": "[^"]+"/, `"currentVersion": "${version}"`));
  commits[version] = notes.commit(`test-notes ${version}`, `v${version}`);
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-notes-'));
  notes = new GitRepo(tmp, 'test-notes').copy(path.join(FIXTURES, 'notes'));
  commits['1.0.0'] = notes.commit('test-notes 1.0.0', 'v1.0.0');
  release('1.1.0', '1732330000001-notes-priority', 'NotesPriority1732330000001');
  release('1.2.0', '1732330000002-notes-broken', 'NotesBroken1732330000002');
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.each(DIALECTS)('upgrades and hooks on %s', (dialect) => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  const titles = async () => (await query(db, 'SELECT "title" FROM "test_note" ORDER BY "title"')).map((r) => r.title);
  /** Runs `mvctl module ...args`; `hooks` is what its hooks logged, to the data dir's log (text mode prints no log line). */
  const module = async (...args: string[]) => {
    const before = readLogs(db).length;
    const result = await mvctl(env, 'module', ...args);
    const hooks = readLogs(db)
      .slice(before)
      .filter((line) => 'hook' in line)
      .map(({ hook, tableExists, previousVersion, notes: count, purge }) => ({ hook, ...(tableExists !== undefined && { tableExists, previousVersion }), ...(count !== undefined && { count }), ...(purge !== undefined && { purge }) }));
    return { ...result, hooks };
  };

  beforeAll(async () => {
    db = await testDatabase(dialect);
    env = cliEnv(db, { LOG_LEVEL: 'info' });
  });
  afterAll(() => db.drop());

  it('installs with hooks: preInstall before the migrations, postInstall after, in their transaction', async () => {
    const result = await module('install', notes.url, '--ref', 'v1.0.0');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Installed test-notes 1\.0\.0 from file:.*\nRestart the server .*\n$/);
    expect(result.hooks).toEqual([
      { hook: 'preInstall', tableExists: false, previousVersion: null },
      { hook: 'postInstall', count: 1 },
    ]);
    expect(await titles()).toEqual(['Welcome']);
    expect(readState(db).modules).toMatchObject([{ code: 'test-notes', version: '1.0.0', git: { ref: 'v1.0.0', commit: commits['1.0.0'] } }]);
  });

  it('upgrades to a new tag: runs the new migration, keeps the data', async () => {
    await query(db, `INSERT INTO "test_note" ("id", "title") VALUES ('00000000-0000-4000-8000-000000000001', 'Mine')`);
    const result = await module('upgrade', 'test-notes', '--ref', 'v1.1.0');
    expect(result.stdout).toMatch(/^Upgraded test-notes 1\.1\.0 \(was 1\.0\.0\) from file:.*test-notes\.git at /);
    expect(result.hooks).toEqual([
      { hook: 'preInstall', tableExists: true, previousVersion: '1.0.0' },
      { hook: 'postInstall', count: 2 },
    ]);
    expect(await titles()).toEqual(['Mine', 'Welcome']);
    expect(await query(db, 'SELECT "priority" FROM "test_note"')).toEqual([{ priority: 0 }, { priority: 0 }]);
    expect((await snapshot(db)).migrations.filter((m) => m.startsWith('test-notes:'))).toEqual(['test-notes:NotesInit1732330000000', 'test-notes:NotesPriority1732330000001']);
    // The 1.0.0 folder is gone.
    expect(fs.readdirSync(path.join(db.dataDir, 'modules/installed/test-notes'))).toEqual([path.basename(readState(db).modules[0].dir)]);
  });

  it('rolls a failed upgrade back to the version before, data included', async () => {
    const before = await snapshot(db);
    const result = await mvctl(env, 'module', 'upgrade', 'test-notes', '--ref', 'v1.2.0');
    // Said once, by mvctl: the log line of the failure is in the log file.
    expect(result.stderr).toMatch(/^mvctl: Upgrade of test-notes failed at migrations of test-notes; nothing was changed: Migration NotesBroken1732330000002 of test-notes failed: .*test_note_missing/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.code).toBe(1);
    expect(await snapshot(db)).toEqual(before);
    expect(readState(db).modules[0]).toMatchObject({ version: '1.1.0', git: { ref: 'v1.1.0' } });

    // --json (what the server runs): the error as JSON on stdout, the log as JSON lines on stderr.
    const downgrade = await mvctl(env, 'module', 'upgrade', 'test-notes', '--ref', 'v1.0.0', '--json');
    expect(JSON.parse(downgrade.stdout).error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/test-notes 1\.0\.0, older than the installed 1\.1\.0: modules are not downgraded/) });
    const logged = downgrade.stderr.trim().split('\n').map((line) => JSON.parse(line));
    expect(logged).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringMatching(/^Upgrade of test-notes failed at dependencies/) }));
    expect(await snapshot(db)).toEqual(before);
  });

  // Fetching by hash does not depend on the database: once is enough.
  it.runIf(dialect === DIALECTS[0])('upgrades to a commit, by its full or abbreviated hash', async () => {
    const full = await mvctl(env, 'module', 'upgrade', 'test-notes', '--ref', commits['1.1.0']);
    expect(full.stdout).toMatch(/^Reinstalled test-notes 1\.1\.0 \(was 1\.1\.0\)/);
    const short = await mvctl(env, 'module', 'upgrade', 'test-notes', '--ref', commits['1.1.0'].slice(0, 10));
    expect(short.stdout).toMatch(/^Reinstalled test-notes 1\.1\.0/);
    expect(readState(db).modules[0].git).toMatchObject({ ref: commits['1.1.0'].slice(0, 10), commit: commits['1.1.0'] });
    expect(await titles()).toEqual(['Mine', 'Welcome']);
  });

  it('lets a preUninstall hook refuse, then uninstalls keeping the data, then purges', async () => {
    await query(db, `INSERT INTO "test_note" ("id", "title") VALUES ('00000000-0000-4000-8000-000000000002', 'Keep me')`);
    const before = await snapshot(db);
    const refused = await mvctl(env, 'module', 'uninstall', 'test-notes', '--purge');
    expect(refused.stderr).toMatch(/Uninstall of test-notes failed at preUninstall hook of test-notes; nothing was changed: a note says "Keep me"/);
    expect(await snapshot(db)).toEqual(before);
    await query(db, `DELETE FROM "test_note" WHERE "title" = 'Keep me'`);

    const kept = await module('uninstall', 'test-notes');
    expect(kept.hooks).toEqual([{ hook: 'postUninstall', purge: false }]);
    expect(readState(db).modules).toEqual([]);
    expect(fs.existsSync(path.join(db.dataDir, 'modules/installed'))).toBe(false);
    expect(await titles()).toEqual(['Mine', 'Welcome']);

    // Installed again, it finds its data; the migrations already applied are not run again.
    const again = await module('install', notes.url, '--ref', 'v1.1.0');
    expect(again.hooks).toEqual([
      { hook: 'preInstall', tableExists: true, previousVersion: null },
      { hook: 'postInstall', count: 2 },
    ]);

    const purged = await module('uninstall', 'test-notes', '--purge');
    expect(purged.hooks).toEqual([{ hook: 'postUninstall', purge: true }]);
    const after = await snapshot(db);
    expect(Object.keys(after.tables)).not.toContain('test_note');
    expect(after.migrations.filter((m) => m.startsWith('test-notes:'))).toEqual([]);
  });
});
