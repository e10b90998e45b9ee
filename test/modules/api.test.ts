import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInstalledModules } from '../../core/host.js';
import { silentLogger } from '../../core/logger.js';
import { acquireLock } from '../../core/modules/store.js';
import { Runtime } from '../../core/runtime.js';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS, testDatabase, type TestDatabase } from '../support/runtime.js';
import { copyOfThisRepository, FIXTURES, GitRepo, snapshot } from './support.js';

/** The same service through the API, on a server started with no module at all. */
let tmp: string;
let credentials: GitRepo;
let prebuilt: GitRepo;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-api-'));
  credentials = copyOfThisRepository(new GitRepo(tmp, 'mv-credentials'), 'credentials');
  credentials.commit('credentials/ alone', 'v1.0.0');
  prebuilt = new GitRepo(tmp, 'test-prebuilt').copy(path.join(FIXTURES, 'prebuilt'));
  prebuilt.commit('prebuilt');
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.each(DIALECTS)('the modules API on %s', (dialect) => {
  let db: TestDatabase;
  let runtime: Runtime;
  let api: TestApi;
  const start = async () =>
    Runtime.start({ config: db.config({ bundledModules: 'none' }), logger: silentLogger, modules: await loadInstalledModules(db.config({ bundledModules: 'none' })), schema: db.schema });

  beforeAll(async () => {
    db = await testDatabase(dialect);
    runtime = await start();
    api = await startApi(runtime);
  });
  afterAll(async () => {
    await api.close();
    await runtime.close();
    await db.drop();
  });

  it('lets only admins change modules, and checks what they send', async () => {
    expect((await api.call('viewer', 'GET', '/api/v1/modules/installed')).body).toEqual({ modules: [], restartRequired: false });
    const before = await snapshot(db);
    expect((await api.call('operator', 'POST', '/api/v1/modules/install', { url: prebuilt.url })).body.error).toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/^Installing modules needs the admin role; .*test-operator is operator$/),
    });
    const malicious = await api.call('admin', 'POST', '/api/v1/modules/install', { url: 'ext::sh -c touch% /tmp/pwned' });
    expect(malicious.status).toBe(400);
    expect(malicious.body.error.message).toMatch(/^Refused git URL "ext::sh -c touch% \/tmp\/pwned": remote helpers/);
    expect((await api.call('admin', 'POST', '/api/v1/modules/install', { url: prebuilt.url, force: true })).body.error.message).toBe(
      'Unknown field force: send url, ref, path, onConflict and dependencyUrls',
    );
    expect((await api.call('admin', 'POST', '/api/v1/modules/install', { url: prebuilt.url, onConflict: 'merge' })).status).toBe(400);
    expect((await api.call('admin', 'DELETE', '/api/v1/modules/test-prebuilt?purge=yes')).status).toBe(400);
    expect((await api.call('admin', 'DELETE', '/api/v1/modules/test-prebuilt')).body.error).toMatchObject({ code: 'not_found', message: /test-prebuilt is not installed/ });
    expect(await snapshot(db)).toEqual(before);
  });

  it('refuses while another module operation holds the lock', async () => {
    const release = acquireLock(db.config(), 'install by another process');
    try {
      const busy = await api.call('admin', 'POST', '/api/v1/modules/install', { url: prebuilt.url });
      expect(busy.status).toBe(409);
      expect(busy.body.error.message).toMatch(/Another module operation is running \(install by another process by process \d+/);
    } finally {
      release();
    }
  });

  it('installs a prebuilt module and its dependency from another URL; the server runs them after a restart', async () => {
    const installed = await api.call('admin', 'POST', '/api/v1/modules/install', { url: prebuilt.url, dependencyUrls: { 'mv-credentials': credentials.url } });
    expect(installed.status).toBe(200);
    expect(installed.body).toMatchObject({
      restartRequired: true,
      changes: [
        { code: 'mv-credentials', action: 'installed', version: '1.0.0', dependencyOf: 'test-prebuilt', git: { url: credentials.url } },
        { code: 'test-prebuilt', action: 'installed', version: '1.0.0' },
      ],
    });
    // A prebuilt module is not compiled: no build folder.
    const folder = path.join(db.dataDir, 'modules/installed/test-prebuilt');
    expect(fs.readdirSync(path.join(folder, fs.readdirSync(folder)[0]))).not.toContain('.mv-build');

    // The running server still runs what it started with.
    expect((await api.call('viewer', 'GET', '/api/v1/modules')).body.modules).toEqual([]);
    const listed = (await api.call('viewer', 'GET', '/api/v1/modules/installed')).body;
    expect(listed.restartRequired).toBe(true);
    expect(listed.modules.map((m: { code: string; dependents: string[] }) => [m.code, m.dependents])).toEqual([
      ['mv-credentials', ['test-prebuilt']],
      ['test-prebuilt', []],
    ]);

    const restarted = await start();
    try {
      expect(restarted.registry.modules.map((m) => `${m.manifest.code}:${m.source}`)).toEqual(['mv-credentials:git', 'test-prebuilt:git']);
      expect(restarted.registry.entity('Credential').fields.map((f) => f.name)).toContain('domainName');
      expect(restarted.credentials).toBeDefined();
    } finally {
      await restarted.close();
    }
  });

  it('upgrades and uninstalls, refusing to remove a module another one needs', async () => {
    const upgraded = await api.call('admin', 'POST', '/api/v1/modules/mv-credentials/upgrade', { ref: 'v1.0.0' });
    expect(upgraded.body).toMatchObject({ changes: [{ code: 'mv-credentials', action: 'reinstalled', previousVersion: '1.0.0', git: { ref: 'v1.0.0' } }] });
    const needed = await api.call('admin', 'DELETE', '/api/v1/modules/mv-credentials?purge=true');
    expect(needed.status).toBe(409);
    expect(needed.body.error.message).toBe(
      'Uninstall of mv-credentials failed; nothing was changed: Cannot uninstall mv-credentials: test-prebuilt depends on it; uninstall it first',
    );
    expect((await api.call('admin', 'DELETE', '/api/v1/modules/test-prebuilt')).body).toMatchObject({ changes: [{ code: 'test-prebuilt', action: 'uninstalled', purged: false }] });
    expect((await api.call('admin', 'DELETE', '/api/v1/modules/mv-credentials?purge=true')).body).toMatchObject({ changes: [{ code: 'mv-credentials', purged: true }] });
    expect((await api.call('viewer', 'GET', '/api/v1/modules/installed')).body).toEqual({ modules: [], restartRequired: false });
  });
});
