import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { background, mvctl as run } from '../support/mvctl.js';

/** The CLI as users run it: the compiled bin, in a child process, on a fresh data dir. */
describe('mvctl', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  const mvctl = (...args: string[]) => run(env, ...args);

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-cli-'));
    // The CLI tests use the embedded SQLite database whatever the CI sets.
    env = { ...process.env, MV_DATA_DIR: dataDir, LOG_LEVEL: 'info', DATABASE_URL: '', ADMIN_EMAIL: 'ops@example.com', ADMIN_PASSWORD: 'correct horse battery' };
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('lists both bundled modules as JSON, without a database', async () => {
    const { code, stdout } = await mvctl('module', 'list', '--json');
    expect(code).toBe(0);
    const modules = JSON.parse(stdout);
    expect(modules.map((m: { code: string; version: string }) => [m.code, m.version])).toEqual([
      ['mv-credentials', '1.0.0'],
      ['mv-infrastructure', '1.0.0'],
    ]);
    expect(modules[0].entities.map((e: { name: string }) => e.name)).toEqual(['Credential']);
    expect(modules[0].actions.map((a: { code: string }) => a.code)).toEqual(['verifyCredential']);
    expect(modules[1].entities.map((e: { name: string }) => e.name)).toContain('ServiceProvider');
    expect(fs.existsSync(path.join(dataDir, 'mv.sqlite'))).toBe(false);
  });

  it('prints only the token on stdout, so scripts can capture it', async () => {
    const { code, stdout } = await mvctl('token', 'create', '--role', 'operator', '--name', 'ci');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^mvt_[\w-]{43}\n$/);
    const list = await mvctl('token', 'list');
    expect(list.stdout).toContain('ci');
    expect(list.stdout).not.toContain(stdout.trim());
  });

  it('exits 2 on usage errors, with a message', async () => {
    expect((await mvctl('token', 'create', '--role', 'root')).code).toBe(2);
    expect((await mvctl('token', 'create')).code).toBe(2);
    expect((await mvctl('nonsense')).code).toBe(2);
    const unknown = await mvctl('action', 'run', 'Server', '00000000-0000-4000-8000-000000000000', 'poweron');
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('No entity named Server') });
    expect((await mvctl('action', 'run', 'Credential', 'abc', 'verifyCredential', '--param', 'oops')).code).toBe(2);
    expect((await mvctl('--help')).code).toBe(0);
    expect((await mvctl('action', 'run', '--help')).stdout).toContain('--param <key=value>');
  });

  /** `mvctl start --port 0` in the background, until `stop()`. */
  async function startServer(): Promise<{ url: string; stop(): Promise<unknown> }> {
    const server = background(env, 'start', '--port', '0');
    const [, url] = await server.waitFor(/listening on (http:\/\/\S+)/);
    return { url, stop: () => server.stop() };
  }

  const credential = async (url: string, token: string, fields: Record<string, unknown>) =>
    fetch(`${url}/api/v1/entities/Credential`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(fields),
    });

  it('serves the API on SQLite; an admin token creates a credential whose secret never comes back', async () => {
    const token = (await mvctl('token', 'create', '--role', 'admin')).stdout.trim();
    const server = await startServer();
    try {
      const created = await credential(server.url, token, { domainName: 'api.scaleway.com', headerKey: 'X-Auth-Token', apiKey: 'SCW-very-secret-key' });
      expect(created.status).toBe(201);
      const { id } = await created.json();
      const text = await (await fetch(`${server.url}/api/v1/entities/Credential/${id}`, { headers: { authorization: `Bearer ${token}` } })).text();
      expect(JSON.parse(text)).toMatchObject({ id, domainName: 'api.scaleway.com', secretsSet: ['apiKey'] });
      expect(text).not.toContain('SCW-very-secret-key');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.stop();
    }
    const logs = fs.readdirSync(path.join(dataDir, 'logs'));
    expect(logs.some((f) => /^mv\.\d{4}-\d{2}-\d{2}\.\d+\.log$/.test(f))).toBe(true);
    const logText = logs.map((f) => fs.readFileSync(path.join(dataDir, 'logs', f), 'utf8')).join('');
    expect(logText).toContain('"msg":"request"');
    expect(logText).not.toContain('SCW-very-secret-key');
  });

  it('runs an action, showing its steps, and exits 1 when it fails, with the reason', async () => {
    const token = (await mvctl('token', 'create', '--role', 'admin')).stdout.trim();
    const server = await startServer();
    const { id } = await (await credential(server.url, token, { domainName: 'api.nowhere.example', token: 't' })).json();
    const other = await (await credential(server.url, token, { domainName: 'api.elsewhere.example', token: 't' })).json();
    await server.stop();
    // A job queued before, for whichever worker comes: the waiting command runs its own job only.
    const queued = /^Queued job (\S+)$/.exec((await mvctl('action', 'run', 'Credential', other.id, 'verifyCredential')).stdout.trim())![1];
    const result = await mvctl('action', 'run', 'Credential', id, 'verifyCredential', '--wait');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Checking the credential for api.nowhere.example');
    expect(result.stderr).toContain('Failed to execute action "verifyCredential". Failure reason: Nothing can check a credential for api.nowhere.example');
    const listed = await mvctl('jobs', 'list', '--json');
    const [job] = JSON.parse(listed.stdout);
    expect(job).toMatchObject({ action: 'verifyCredential', status: 'failed', startedBy: expect.stringMatching(/^cli:/) });
    const shown = await mvctl('jobs', 'show', job.id);
    expect(shown.stdout).toContain(`Job ${job.id}: verifyCredential on Credential ${id}`);
    expect(shown.stdout).toContain('Error: Nothing can check');
    expect(JSON.parse((await mvctl('jobs', 'show', queued, '--json')).stdout)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(await mvctl('jobs', 'show', 'abc')).toMatchObject({ code: 2, stderr: expect.stringContaining('No job abc') });
    expect(await mvctl('token', 'revoke', 'abc')).toMatchObject({ code: 2, stderr: expect.stringContaining('No active token abc') });
  });
});
