import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, testDatabase, type TestDatabase } from '../support/runtime.js';
import { cliEnv, copyOfThisRepository, FIXTURES, GitRepo, HOST_ROOT, mvctl, readLogs, readState, snapshot, tableCounts, type Snapshot } from './support.js';

/**
 * Modules from git, end to end: bare repositories made from this repository (the root module and
 * credentials/) and from test/fixtures/git-modules, installed by `mvctl` processes into an empty data dir.
 */
let tmp: string;
const repos: Record<string, GitRepo> = {};

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-git-'));
  const repo = (name: string) => (repos[name] = new GitRepo(tmp, name));
  copyOfThisRepository(repo('mv-infra')).commit('mv-infra as checked out', 'v1.0.0');
  copyOfThisRepository(repo('mv-credentials'), 'credentials').commit('credentials/ alone', 'v1.0.0');
  for (const fixture of ['broken', 'failing-migration', 'failing-hook', 'incompatible', 'prebuilt']) repo(fixture).copy(path.join(FIXTURES, fixture)).commit(fixture);
  // Each half of the cycle finds the other through a relative gitUrl: ../test-cycle-<other>.git.
  for (const half of ['a', 'b']) repo(`test-cycle-${half}`).copy(path.join(FIXTURES, `cycle-${half}`)).commit('cycle');
  repo('type-error')
    .write('module.json', JSON.stringify({ code: 'test-type-error', description: 'Does not compile', license: 'MIT', currentVersion: '1.0.0', entryPoint: 'module.ts' }))
    .write('module.ts', "import { defineModule } from 'mv-infra/core';\nconst size: number = 'large';\nexport default defineModule({ entities: [], actions: [], migrations: { sqlite: [], postgres: [] }, size });\n")
    .commit('type error');

  // A chain: test-chain → test-notes-user (relative gitUrl) → test-notes (absolute gitUrl, branch "stable",
  // where it is 1.0.0; the default branch has 2.0.0, which test-notes-user does not accept).
  const manifest = (code: string, moduleDependencies: object[] = []) =>
    JSON.stringify({ code, description: `${code}, for the installer's tests`, license: 'MIT', currentVersion: '1.0.0', moduleDependencies, entryPoint: 'module.js' });
  const notes = repo('test-notes').copy(path.join(FIXTURES, 'notes'));
  notes.commit('test-notes 1.0.0');
  notes.branch('stable').edit('module.json', (text) => text.replace('"1.0.0"', '"2.0.0"')).commit('test-notes 2.0.0');
  repo('test-notes-user')
    .copy(path.join(FIXTURES, 'prebuilt/module.js'), 'module.js')
    .write('module.json', manifest('test-notes-user', [{ code: 'test-notes', currentVersion: '^1.0.0', gitUrl: notes.url, gitBranch: 'stable' }]))
    .commit('test-notes-user');
  repo('test-chain')
    .copy(path.join(FIXTURES, 'prebuilt/module.js'), 'module.js')
    .write('module.json', manifest('test-chain', [{ code: 'test-notes-user', currentVersion: '^1.0.0', gitUrl: '../test-notes-user.git' }]))
    .commit('test-chain');
  // A repository whose module is in a directory, none at its root.
  repo('toolbox')
    .copy(path.join(FIXTURES, 'prebuilt/module.js'), 'modules/hello/module.js')
    .write('modules/hello/module.json', manifest('test-hello'))
    .write('README.md', 'Modules in modules/\n')
    .commit('toolbox');
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('a fresh data dir', () => {
  it('starts with the two bundled modules, or none with MV_BUNDLED_MODULES=none', async () => {
    const db = await testDatabase('sqlite');
    try {
      const bundled = await mvctl(cliEnv(db, { MV_BUNDLED_MODULES: 'all' }), 'module', 'list', '--json');
      expect(JSON.parse(bundled.stdout).map((m: { code: string; source: string }) => `${m.code}:${m.source}`)).toEqual(['mv-credentials:bundled', 'mv-infrastructure:bundled']);
      const none = await mvctl(cliEnv(db), 'module', 'list', '--json');
      expect(none).toMatchObject({ code: 0, stdout: '[]\n' });
      // Reading the list writes nothing.
      expect(fs.readdirSync(db.dataDir)).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});

describe.each(DIALECTS)('modules from git on %s', (dialect) => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;
  let empty: Snapshot;
  const pwned = () => path.join(tmp, `pwned-${dialect}`);

  beforeAll(async () => {
    db = await testDatabase(dialect);
    env = cliEnv(db);
    empty = await snapshot(db);
  });
  afterAll(() => db.drop());

  /** Runs `mvctl module ...args`, expects it to fail with `code` and a message matching `message`, and nothing to change. */
  async function refused(code: number, message: RegExp, ...args: string[]): Promise<void> {
    const before = await snapshot(db);
    const result = await mvctl(env, 'module', ...args);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(code);
    expect(await snapshot(db)).toEqual(before);
  }

  // What is refused before the database is opened needs no second dialect.
  const once = dialect === DIALECTS[0];

  it.runIf(once)('refuses URLs that could run commands, before git runs', async () => {
    // More forms are refused in git.test.ts; these two go through a real mvctl.
    await refused(2, /Refused git URL "ext::sh -c touch% .*": remote helpers \(transport::address, such as ext:: or fd::\) can run commands/, 'install', '--', `ext::sh -c touch% ${pwned()}`);
    await refused(2, /Refused git URL "--upload-pack=touch .*": it starts with "-" and could be read as an option/, 'install', '--', `--upload-pack=touch ${pwned()}`);
    await refused(2, /Refused URL of dependency mv-credentials ".*": remote helpers/, 'install', repos['mv-infra'].url, '--dependency-url', `mv-credentials=ext::sh -c touch% ${pwned()}`);
    await refused(2, /Refused ref "--upload-pack=/, 'install', repos['mv-infra'].url, '--ref', `--upload-pack=touch ${pwned()}`);
    await refused(2, /Refused ref "--upload-pack=/, 'install', repos['mv-infra'].url, '--dependency-url', `mv-credentials=${repos['mv-infra'].url}#--upload-pack=touch:${pwned()}`);
    await refused(2, /path must be a directory inside the repository, without "\.\."/, 'install', repos['mv-infra'].url, '--dependency-url', `mv-credentials=${repos['mv-infra'].url}#main:../..`);
    // mvctl runs in os.tmpdir(): a directory of that name there is refused all the same.
    const helper = path.join(os.tmpdir(), `fd::mv-${process.pid}`);
    fs.mkdirSync(helper);
    try {
      await refused(2, /Refused git URL "fd::mv-\d+": remote helpers/, 'install', path.basename(helper));
    } finally {
      fs.rmdirSync(helper);
    }
    expect(fs.existsSync(pwned())).toBe(false);
    expect(await snapshot(db)).toEqual(empty);
  });

  it('rolls a failing install back to an empty data dir, its dependency included', async () => {
    const failed = await mvctl(env, 'module', 'install', repos['failing-migration'].url, '--dependency-url', `mv-credentials=${repos['mv-credentials'].url}`);
    expect(failed.stderr).toMatch(
      /Install of file:.*failing-migration\.git failed at migrations of test-failing-migration; nothing was changed: Migration FailingInit1732340000000 of test-failing-migration failed: .*(UNIQUE constraint failed: test_failing_thing\.code|duplicate key value violates unique constraint.*\(Key \(code\)=\(alpha\) already exists)/,
    );
    expect(failed.code).toBe(1);
    // No module folder, state, SQLite file or key file; on PostgreSQL, not even the migrations table.
    expect(await snapshot(db)).toEqual(empty);
  });

  it('installs mv-infrastructure from a plain checkout of this repository, mv-credentials first', async () => {
    const result = await mvctl(env, 'module', 'install', repos['mv-infra'].url);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^Installed mv-credentials 1\.0\.0 from file:.*mv-infra\.git \(credentials\) at [0-9a-f]{12}, needed by mv-infrastructure$/);
    expect(lines[1]).toMatch(/^Installed mv-infrastructure 1\.0\.0 from file:.*mv-infra\.git at [0-9a-f]{12}$/);
    expect(lines[2]).toMatch(/^Restart the server/);

    const state = readState(db);
    expect(state.modules.map((m) => [m.code, m.source, m.git?.path])).toEqual([
      ['mv-credentials', 'git', 'credentials'],
      ['mv-infrastructure', 'git', undefined],
    ]);
    for (const module of state.modules) {
      // Each runs the host's mv-infra/core and packages, through links.
      const linked = fs.realpathSync(path.join(db.dataDir, 'modules', module.dir, 'node_modules', 'mv-infra'));
      expect(linked).toBe(fs.realpathSync(HOST_ROOT));
      expect(fs.realpathSync(path.join(db.dataDir, 'modules', module.dir, 'node_modules', 'typeorm'))).toBe(fs.realpathSync(path.join(HOST_ROOT, 'node_modules/typeorm')));
    }

    const listed = JSON.parse((await mvctl(env, 'module', 'list', '--json')).stdout);
    expect(listed.map((m: { code: string; source: string }) => `${m.code}:${m.source}`)).toEqual(['mv-credentials:git', 'mv-infrastructure:git']);
    const credential = listed[0].entities.find((e: { name: string }) => e.name === 'Credential');
    // Fields come from decorator metadata: the module's decorators wrote to the host's stores.
    expect(credential.fields.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(['domainName', 'authenticationType', 'apiKey']));
    expect(listed[0].actions.map((a: { code: string }) => a.code)).toContain('verifyCredential');
    expect(listed[1].entities.map((e: { name: string }) => e.name)).toContain('ServiceProvider');

    const tables = await tableCounts(db);
    expect(Object.keys(tables)).toEqual(expect.arrayContaining(['mv_migration', 'credential', 'service_provider', 'mv_job']));
  });

  it('serves both modules, their entities and actions from `mvctl start`', async () => {
    const token = await mvctl(env, 'token', 'create', '--role', 'admin');
    expect(token.code).toBe(0);
    const server = spawn(process.execPath, [path.join(HOST_ROOT, 'dist/core/cli/mvctl.js'), 'start', '--port', '0'], { env, cwd: os.tmpdir() });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(out);
          if (match) resolve(match[1]);
        });
        server.once('exit', (code) => reject(new Error(`mvctl start exited with ${code}: ${out}`)));
      });
      const get = async (route: string) => (await fetch(`${url}/api/v1${route}`, { headers: { authorization: `Bearer ${token.stdout.trim()}` } })).json();
      const { modules } = await get('/modules');
      expect(modules.map((m: { code: string }) => m.code)).toEqual(['mv-credentials', 'mv-infrastructure']);
      expect(modules[0].actions.map((a: { code: string }) => a.code)).toContain('verifyCredential');
      const openapi = await get('/openapi.json');
      expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/entities/Credential', '/entities/ServiceProvider', '/entities/Credential/{id}/actions/verifyCredential']));
      expect(await get('/modules/installed')).toMatchObject({ restartRequired: false, modules: [{ code: 'mv-credentials', dependents: ['mv-infrastructure'] }, { code: 'mv-infrastructure' }] });
    } finally {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
  });

  it('refuses a failing migration or hook after other modules are installed, and changes nothing', async () => {
    await refused(1, /failed at migrations of test-failing-migration; nothing was changed: Migration FailingInit1732340000000 of test-failing-migration failed/, 'install', repos['failing-migration'].url);
    await refused(1, /failed at postInstall hook of test-failing-hook; nothing was changed: test-failing-hook: the post-install check failed on purpose/, 'install', repos['failing-hook'].url);
  });

  it.runIf(once)('refuses broken modules, cycles and conflicts with a clear message, and changes nothing', async () => {
    await refused(
      2,
      /Install of file:.*broken\.git failed at manifest; nothing was changed: file:.*broken\.git \(default branch\) module\.json: invalid module manifest — installMe: unknown field; code: must be a module code in kebab-case.*; license: .*; currentVersion: must be a semantic version/,
      'install',
      repos.broken.url,
    );
    await refused(1, /failed at dependencies; nothing was changed: Module dependency cycle: test-cycle-a → test-cycle-b → test-cycle-a/, 'install', repos['test-cycle-a'].url);
    await refused(
      1,
      /failed at dependencies; nothing was changed: test-incompatible 1\.0\.0 needs mv-credentials \^9\.0\.0, but mv-credentials 1\.0\.0 is installed/,
      'install',
      repos.incompatible.url,
    );
    await refused(2, /failed at build of test-type-error; nothing was changed: TypeScript errors:\nmodule\.ts\(2,7\): error TS2322: Type 'string' is not assignable to type 'number'/, 'install', repos['type-error'].url);
    await refused(1, /failed at clone of file:.*mv-infra\.git \(v9\.9\.9\); nothing was changed: .*v9\.9\.9/, 'install', repos['mv-infra'].url, '--ref', 'v9.9.9');
    await refused(1, /nothing was changed: mv-credentials 1\.0\.0 is already installed \(from file:.*mv-infra\.git\); use --on-conflict overwrite/, 'install', repos['mv-credentials'].url);
    await refused(1, /Cannot uninstall mv-credentials: mv-infrastructure depends on it; uninstall it first/, 'uninstall', 'mv-credentials');
    await refused(2, /test-nothing is not installed \(installed: mv-credentials, mv-infrastructure\)/, 'upgrade', 'test-nothing');
  });

  it('keeps, or replaces, an installed module as --on-conflict says', async () => {
    const before = await snapshot(db);
    const skipped = await mvctl(env, 'module', 'install', repos['mv-credentials'].url, '--on-conflict', 'skip');
    expect(skipped).toMatchObject({ code: 0, stdout: 'Kept mv-credentials 1.0.0: already installed\n' });
    expect(await snapshot(db)).toEqual(before);

    const replaced = await mvctl(env, 'module', 'install', repos['mv-credentials'].url, '--on-conflict', 'overwrite', '--ref', 'v1.0.0');
    expect(replaced.stdout).toMatch(/^Reinstalled mv-credentials 1\.0\.0 \(was 1\.0\.0\) from file:.*mv-credentials\.git at /);
    expect(readState(db).modules[0]).toMatchObject({ code: 'mv-credentials', git: { url: repos['mv-credentials'].url, ref: 'v1.0.0' } });
    // The folder of the replaced install is gone; the data is untouched.
    expect(fs.readdirSync(path.join(db.dataDir, 'modules/installed/mv-credentials'))).toHaveLength(1);
    expect((await snapshot(db)).tables).toEqual(before.tables);
  });

  it('uninstalls: tables dropped with --purge, data kept without', async () => {
    const purged = await mvctl(env, 'module', 'uninstall', 'mv-infrastructure', '--purge');
    expect(purged).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Uninstalled mv-infrastructure 1\.0\.0; its tables were dropped/) });
    let after = await snapshot(db);
    expect(Object.keys(after.tables)).not.toContain('service_provider');
    expect(after.migrations.filter((m) => m.startsWith('mv-infrastructure:'))).toEqual([]);
    expect(fs.existsSync(path.join(db.dataDir, 'modules/installed/mv-infrastructure'))).toBe(false);

    const kept = await mvctl(env, 'module', 'uninstall', 'mv-credentials');
    expect(kept.stdout).toMatch(/^Uninstalled mv-credentials 1\.0\.0; its tables and data are kept/);
    after = await snapshot(db);
    expect(Object.keys(after.tables)).toContain('credential');
    expect(after.migrations.filter((m) => m.startsWith('mv-credentials:'))).toHaveLength(1);
    expect(readState(db).modules).toEqual([]);
    expect((await mvctl(env, 'module', 'list', '--json')).stdout).toBe('[]\n');
  });
});

describe('dependencies fetched from git', () => {
  let db: TestDatabase;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await testDatabase(DIALECTS[0]);
    // Info level: text mode must still print no log line.
    env = cliEnv(db, { LOG_LEVEL: 'info' });
  });
  afterAll(() => db.drop());

  it('refuses a fetched dependency of a version out of range, says it once, and changes nothing', async () => {
    const before = await snapshot(db);
    const result = await mvctl(env, 'module', 'install', repos.incompatible.url, '--dependency-url', `mv-credentials=${repos['mv-credentials'].url}`);
    expect(result.stderr).toMatch(
      /^mvctl: Install of file:.*incompatible\.git failed at dependencies; nothing was changed: test-incompatible 1\.0\.0 needs mv-credentials \^9\.0\.0, but file:.*mv-credentials\.git \(default branch\) has mv-credentials 1\.0\.0\n$/,
    );
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(await snapshot(db)).toEqual(before);
    expect(readLogs(db)).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringMatching(/^Install of .* failed at dependencies/) }));
  });

  it('gets a dependency from a mirror of this repository with <url>#<ref>:<path>, the module from a relative path', async () => {
    // test-prebuilt needs mv-credentials without saying where it is; mvctl runs in os.tmpdir().
    const relative = path.relative(os.tmpdir(), repos.prebuilt.bare);
    expect(relative).toMatch(/^mv-git-/);
    const root = await mvctl(env, 'module', 'install', relative, '--dependency-url', `mv-credentials=${repos['mv-infra'].url}`);
    expect(root.stderr).toMatch(/test-prebuilt declares the dependency mv-credentials, but file:.*mv-infra\.git \(default branch\) holds mv-infrastructure \(point --dependency-url at its directory/);

    const result = await mvctl(env, 'module', 'install', relative, '--dependency-url', `mv-credentials=${repos['mv-infra'].url}#v1.0.0:credentials`);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Installed mv-credentials 1\.0\.0 from file:.*mv-infra\.git \(credentials\) at [0-9a-f]{12}, needed by test-prebuilt\n/);
    expect(readState(db).modules.map((m) => [m.code, m.git])).toEqual([
      ['mv-credentials', { url: repos['mv-infra'].url, ref: 'v1.0.0', path: 'credentials', commit: expect.stringMatching(/^[0-9a-f]{40}$/) }],
      ['test-prebuilt', { url: repos.prebuilt.url, commit: expect.stringMatching(/^[0-9a-f]{40}$/) }],
    ]);
  });

  it('installs the module of a directory of the repository with --path', async () => {
    const root = await mvctl(env, 'module', 'install', repos.toolbox.url);
    expect(root.stderr).toMatch(/failed at manifest; nothing was changed: .*no module\.json there/);
    const result = await mvctl(env, 'module', 'install', repos.toolbox.url, '--path', 'modules/hello/');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Installed test-hello 1\.0\.0 from file:.*toolbox\.git \(modules\/hello\) at /);
    expect(readState(db).modules.find((m) => m.code === 'test-hello')?.git).toMatchObject({ url: repos.toolbox.url, path: 'modules/hello' });
  });

  it('installs a chain of dependencies two levels deep, the last from an absolute gitUrl at another branch than the default', async () => {
    const result = await mvctl(env, 'module', 'install', repos['test-chain'].url);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.split('\n').slice(0, 3)).toEqual([
      expect.stringMatching(/^Installed test-notes 1\.0\.0 from file:.*\/test-notes\.git at [0-9a-f]{12}, needed by test-notes-user$/),
      expect.stringMatching(/^Installed test-notes-user 1\.0\.0 from file:.*\/test-notes-user\.git at [0-9a-f]{12}, needed by test-chain$/),
      expect.stringMatching(/^Installed test-chain 1\.0\.0 from file:.*\/test-chain\.git at [0-9a-f]{12}$/),
    ]);
    expect(readState(db).modules.find((m) => m.code === 'test-notes')).toMatchObject({ version: '1.0.0', git: { url: repos['test-notes'].url, ref: 'stable' } });
    // What text mode does not print is in the data dir's log.
    expect(readLogs(db)).toContainEqual(expect.objectContaining({ msg: 'module test-chain installed' }));
  });
});
