import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../core/runtime.js';
import { startApi, type TestApi } from '../support/api.js';
import { startRuntime, testDatabase, type TestDatabase } from '../support/runtime.js';

const SECRETS = {
  password: 'pw-5f3c-never-shown',
  token: 'tok-9a1e-never-shown',
  refreshToken: 'rt-77b0-never-shown',
  apiKey: 'ak-c0de-never-shown',
  passwordSecret: 'ps-beef-never-shown',
  privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----pk-1234-never-shown',
};

/** Every GET the API documents, with real ids filled in: no answer may contain a secret. */
describe('secrets never leave through the API', () => {
  let db: TestDatabase;
  let runtime: Runtime;
  let api: TestApi;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    db = await testDatabase('sqlite');
    runtime = await startRuntime(db, { worker: true });
    api = await startApi(runtime);
    const credential = await api.call('admin', 'POST', '/api/v1/entities/Credential', { domainName: 'api.example.com', username: 'ops', authenticationType: 'HTTP_BASIC', ...SECRETS });
    expect(credential.status).toBe(201);
    ids.Credential = credential.body.id;
    const provider = await api.call('admin', 'POST', '/api/v1/entities/ServiceProvider', { name: 'p', code: 'SCALEWAY', apiBaseUrl: 'https://api.example.com', credentialId: ids.Credential });
    ids.ServiceProvider = provider.body.id;
    const job = await api.call('admin', 'POST', `/api/v1/entities/Credential/${ids.Credential}/actions/verifyCredential?wait=10`);
    ids.job = job.body.job.id;
  });
  afterAll(async () => {
    await api.close();
    await runtime.close();
    await db.drop();
  });

  it('in any documented GET, including the job of an action on the credential', async () => {
    const openapi = (await api.call('admin', 'GET', '/api/v1/openapi.json')).body;
    const paths = Object.entries(openapi.paths as Record<string, Record<string, unknown>>)
      .filter(([, operations]) => 'get' in operations)
      .map(([path]) => path);
    const texts: string[] = [JSON.stringify(openapi)];
    for (const path of paths) {
      const entity = /^\/entities\/(\w+)/.exec(path)?.[1];
      const id = path.startsWith('/jobs/') ? ids.job : entity ? ids[entity] : undefined;
      if (path.includes('{id}') && !id) continue;
      const response = await api.call('admin', 'GET', `/api/v1${path.replace('{id}', id ?? '')}`);
      expect(response.status, path).toBeLessThan(400);
      texts.push(response.text);
    }
    expect(paths.length).toBeGreaterThan(20);
    for (const text of texts) for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
  });

  it('nor in the database in clear', async () => {
    const [row] = await runtime.data.query(`SELECT * FROM "credential" WHERE "id" = ?`, [ids.Credential]);
    for (const [field, secret] of Object.entries(SECRETS)) {
      expect(row[field]).toMatch(/^mvenc:v1:/);
      expect(JSON.stringify(row)).not.toContain(secret);
    }
  });
});
