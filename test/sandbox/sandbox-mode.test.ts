import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { background, mvctl, type Background } from '../support/mvctl.js';
import { rawRequest } from '../support/raw-http.js';

/**
 * `mvctl sandbox --app` (`npm run sandbox`): the emulators and the whole product wired to them, on
 * `<MV_DATA_DIR>/sandbox`. A newcomer's first session, through the API, then a restart.
 */
describe('sandbox mode', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let token: string;
  let sandbox: Background;
  let app: string;
  let emulator: string;
  let password: string;

  const start = async () => {
    sandbox = background(env, 'sandbox', '--app', '--app-port', '0', '--transition-ms', '100');
    [, emulator] = await sandbox.waitFor(/^scaleway (http:\/\/127\.0\.0\.1:\d+)$/m);
    [, app] = await sandbox.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    [, password] = await sandbox.waitFor(/login sandbox@localhost \/ (\S+)/);
    await sandbox.waitFor(/Ctrl\+C stops everything/);
  };
  const signIn = (secret: string, host = new URL(app).host) =>
    rawRequest(`${app}/admin/login`, {
      method: 'POST',
      headers: { host, origin: `http://${host}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'sandbox@localhost', password: secret }).toString(),
    });
  const api = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${app}/api/v1${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const parsed = await response.json();
    if (response.status >= 400) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(parsed)}`);
    return parsed;
  };
  const run = async (entity: string, id: string, action: string, params: Record<string, unknown> = {}) =>
    (await api('POST', `/entities/${entity}/${id}/actions/${action}?wait=60`, params)).job;
  const sandboxProviders = async () => (await api('GET', '/entities/ServiceProvider?name=SANDBOX%20Scaleway')).items;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-sandbox-'));
    // Whatever database the CI gives the other suites, the sandbox keeps to its own SQLite file.
    env = { ...process.env, MV_DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: 'postgres://nowhere.invalid/none', MV_POLL_INTERVAL_MS: '50' };
    // The documented way to get an API token for the sandbox: mvctl on its data dir.
    const created = await mvctl({ ...env, MV_DATA_DIR: path.join(dataDir, 'sandbox'), DATABASE_URL: '' }, 'token', 'create', '--role', 'admin');
    expect(created.code, created.stderr).toBe(0);
    token = created.stdout.trim();
    await start();
  });
  afterAll(async () => {
    await sandbox?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the emulators, the URLs and the sandbox login, and seeds a SANDBOX credential and provider pointing at the emulator', async () => {
    const out = sandbox.stdout();
    expect(out.split('\n')[0]).toBe(`scaleway ${emulator}`);
    const file = path.join(dataDir, 'sandbox', 'sandbox-password');
    expect(out).toContain(`Back-office: ${app}/admin  login sandbox@localhost / ${password} (kept in ${file})`);
    expect(password).toMatch(/^[\w-]{24}$/);
    expect([fs.readFileSync(file, 'utf8'), fs.statSync(file).mode & 0o777]).toEqual([`${password}\n`, 0o600]);
    expect(out).toContain(`database SQLite (${path.join(dataDir, 'sandbox')})`);
    const [provider] = await sandboxProviders();
    expect(provider).toMatchObject({ code: 'SCALEWAY', apiBaseUrl: emulator, allowedApiHosts: ['127.0.0.1'], zones: ['fr-par-1', 'nl-ams-1'], importNamePrefix: '' });
    expect(provider.description).toMatch(/^SANDBOX: the local Scaleway emulator/);
    const credential = await api('GET', `/entities/Credential/${provider.credentialId}`);
    expect(credential).toMatchObject({ domainName: new URL(emulator).host, username: 'SANDBOX (Scaleway emulator)', secretsSet: ['apiKey'] });
    expect(JSON.stringify(credential)).not.toContain('SANDBOX-any-key-works');
  });

  it('signs in to the back-office with the printed login, and with no other', async () => {
    const login = await signIn(password);
    expect([login.status, login.headers.location]).toEqual([302, '/admin']);
    expect((await signIn('sandbox-password')).status).toBe(200);
    // As localhost too: the browser may be pointed at either.
    expect((await signIn(password, `localhost:${new URL(app).port}`)).status).toBe(302);
  });

  it('answers no other host name: a page whose name was pointed at 127.0.0.1 (DNS rebinding) gets nowhere', async () => {
    const port = new URL(app).port;
    const rebound = await signIn(password, `evil.example:${port}`);
    expect(rebound.status).toBe(403);
    expect(rebound.headers['set-cookie']).toBeUndefined();
    expect(JSON.parse(rebound.text).error.message).toMatch(/host "evil\.example:\d+" are refused \(the sandbox answers to 127\.0\.0\.1, localhost and \[::1\] only\)/);
    for (const route of ['/admin/login', '/api/v1/modules', '/admin/mv/modules']) {
      expect((await rawRequest(`${app}${route}`, { headers: { host: `evil.example:${port}`, authorization: `Bearer ${token}` } })).status).toBe(403);
    }
    // Nor can it say it is 127.0.0.1: no proxy is trusted in the sandbox.
    const forwarded = await rawRequest(`${app}/api/v1/modules`, { headers: { host: `evil.example:${port}`, 'x-forwarded-host': `127.0.0.1:${port}`, authorization: `Bearer ${token}` } });
    expect(forwarded.status).toBe(403);
    expect((await rawRequest(`${app}/healthz`, { headers: { host: `evil.example:${port}` } })).status).toBe(200);
  });

  it('populates the provider fields, then creates, powers, backs up and deletes a server, with no cloud account', async () => {
    const [provider] = await sandboxProviders();
    expect(await run('ServiceProvider', provider.id, 'populateProviderFields')).toMatchObject({ status: 'succeeded' });
    const [ubuntu] = (await api('GET', '/entities/ServerImage?label=ubuntu_noble&arch=x86_64&zone=fr-par-1')).items;
    expect(ubuntu).toBeDefined();
    const server = await api('POST', '/entities/ScalewayServer', { name: 'dev-first-server', serverType: 'DEV1-S', zone: 'fr-par-1', serviceProviderId: provider.id, imageId: ubuntu.id });
    const created = await run('ScalewayServer', server.id, 'createServer');
    expect(created).toMatchObject({ status: 'succeeded', value: { state: 'running' } });
    const record = await api('GET', `/entities/ScalewayServer/${server.id}`);
    expect(record).toMatchObject({ state: 'running', ownership: 'managed' });
    // The emulator, asked directly, has it running too.
    const remote = await fetch(`${emulator}/instance/v1/zones/fr-par-1/servers/${record.providerSideId}`, { headers: { 'X-Auth-Token': 'any' } });
    expect((await remote.json()).server.state).toBe('running');
    expect(await run('ScalewayServer', server.id, 'poweroff')).toMatchObject({ status: 'succeeded', message: 'dev-first-server is stopped' });
    expect(await run('ScalewayServer', server.id, 'poweron')).toMatchObject({ status: 'succeeded', message: 'dev-first-server is running' });
    expect(await run('ScalewayServer', server.id, 'poweroff')).toMatchObject({ status: 'succeeded' });
    expect(await run('ScalewayServer', server.id, 'backup', { name: 'dev-first-backup' })).toMatchObject({ status: 'succeeded' });
    expect(await run('ScalewayServer', server.id, 'deleteServerWithVolumes')).toMatchObject({ status: 'succeeded' });
    expect((await fetch(`${emulator}/instance/v1/zones/fr-par-1/servers`, { headers: { 'X-Auth-Token': 'any' } }).then((r) => r.json())).servers).toEqual([]);
  });

  it('restarts on the same database: one SANDBOX provider, pointing at the new emulator, last session’s resources gone', async () => {
    const [before] = await sandboxProviders();
    expect((await api('GET', '/entities/ServerImage')).total).toBeGreaterThan(0);
    expect(await sandbox.stop()).toBe(0);
    const previousPassword = password;
    await start();
    // The same login as last time.
    expect(password).toBe(previousPassword);
    expect(sandbox.stdout()).toMatch(/SANDBOX Scaleway \(http:\/\/127\.0\.0\.1:\d+, zones fr-par-1, nl-ams-1\): \d+ records of the previous session removed/);
    const providers = await sandboxProviders();
    expect(providers).toEqual([expect.objectContaining({ id: before.id, credentialId: before.credentialId, apiBaseUrl: emulator })]);
    expect((await api('GET', `/entities/Credential/${before.credentialId}`)).domainName).toBe(new URL(emulator).host);
    expect((await api('GET', '/entities/ServerImage')).total).toBe(0);
    expect((await api('GET', '/entities/Credential')).total).toBe(1);
  });
});
