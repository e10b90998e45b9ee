import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../core/runtime.js';
import { Credential } from '../../credentials/entities/credential.js';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS, startRuntime, testDatabase, type TestDatabase } from '../support/runtime.js';

const SECRET = 'scw-secret-0c9f1e7a-DO-NOT-LEAK';

describe.each(DIALECTS)('entity API on %s', (dialect) => {
  let db: TestDatabase;
  let runtime: Runtime;
  let api: TestApi;
  beforeAll(async () => {
    db = await testDatabase(dialect);
    runtime = await startRuntime(db);
    api = await startApi(runtime);
  });
  afterAll(async () => {
    await api.close();
    await runtime.close();
    await db.drop();
  });

  it('creates a credential whose secret is sealed at rest and never returned', async () => {
    const created = await api.call('admin', 'POST', '/api/v1/entities/Credential', { domainName: 'api.scaleway.com', token: SECRET, headerKey: 'X-Auth-Token' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/v1/entities/Credential/${created.body.id}`);
    expect(created.body).toMatchObject({ domainName: 'api.scaleway.com', authenticationType: 'API_KEY', status: 'ACTIVE', secretsSet: ['token'] });
    expect(created.text).not.toContain(SECRET);
    expect(created.body).not.toHaveProperty('token');
    const [row] = await runtime.data.query(`SELECT "token" FROM "credential" WHERE "id" = ${dialect === 'postgres' ? '$1' : '?'}`, [created.body.id]);
    expect(row.token).toMatch(/^mvenc:v1:/);
    expect(row.token).not.toContain(SECRET);
    const read = await api.call('operator', 'GET', `/api/v1/entities/Credential/${created.body.id}`);
    expect(read.text).not.toContain(SECRET);
    expect(read.body.secretsSet).toEqual(['token']);
  });

  it('answers 400 with one message per field and writes nothing', async () => {
    const before = await api.call('admin', 'GET', '/api/v1/entities/Credential');
    const bad = await api.call('admin', 'POST', '/api/v1/entities/Credential', {
      domainName: 'https://not a host',
      authenticationType: 'KERBEROS',
      credit: -3,
      colour: 'red',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.details.fields).toEqual({
      colour: ['is not a field of Credential'],
      domainName: [expect.stringContaining('must be a host name')],
      authenticationType: ['must be one of: API_KEY, HEADER, HTTP_BASIC, OAUTH2, SSH, OVH_SIGNATURE, EXOSCALE_HMAC, OPENSTACK_KEYSTONE'],
      credit: ['must not be less than 0'],
    });
    const schemeRules = await api.call('admin', 'POST', '/api/v1/entities/Credential', { domainName: 'api.example.com', authenticationType: 'HTTP_BASIC' });
    expect(schemeRules.body.error.details.fields).toEqual({ username: ['is required for HTTP_BASIC'], password: ['is required for HTTP_BASIC'] });
    const after = await api.call('admin', 'GET', '/api/v1/entities/Credential');
    expect(after.body.total).toBe(before.body.total);
  });

  it('patches fields, keeps a secret when it is sent empty, and rejects read-only changes', async () => {
    const { body: credential } = await api.call('admin', 'POST', '/api/v1/entities/Credential', { domainName: 'api.cloudflare.com/client/v4', authenticationType: 'OAUTH2', token: SECRET });
    const patched = await api.call('admin', 'PATCH', `/api/v1/entities/Credential/${credential.id}`, { token: '', username: 'ops', status: 'INACTIVE' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ username: 'ops', status: 'INACTIVE', secretsSet: ['token'] });
    const readOnly = await api.call('admin', 'PATCH', `/api/v1/entities/Credential/${credential.id}`, { lastConnection: '2020-01-01T00:00:00Z' });
    expect(readOnly.status).toBe(400);
    expect(readOnly.body.error.details.fields).toEqual({ lastConnection: ['is read-only'] });
    // Sending back what was read is fine.
    const roundTrip = await api.call('admin', 'PATCH', `/api/v1/entities/Credential/${credential.id}`, patched.body);
    expect(roundTrip.status).toBe(200);
  });

  it('pages, sorts and filters in the database', async () => {
    for (const name of ['alpha', 'bravo', 'charlie', 'delta', 'echo']) {
      const created = await api.call('admin', 'POST', '/api/v1/entities/ServiceProvider', { name: `sp-${name}`, code: name < 'c' ? 'SCALEWAY' : 'EXOSCALE', apiBaseUrl: 'https://api.scaleway.com' });
      expect(created.status).toBe(201);
    }
    const page = await api.call('viewer', 'GET', '/api/v1/entities/ServiceProvider?per_page=2&page=2&sort=name');
    expect(page.body.items.map((p: { name: string }) => p.name)).toEqual(['sp-charlie', 'sp-delta']);
    expect(page.body.total).toBe(5);
    expect(page.headers.get('x-total-count')).toBe('5');
    expect(page.headers.get('link')).toContain('rel="next"');
    const filtered = await api.call('viewer', 'GET', '/api/v1/entities/ServiceProvider?code=SCALEWAY&sort=-name');
    expect(filtered.body.items.map((p: { name: string }) => p.name)).toEqual(['sp-bravo', 'sp-alpha']);
    expect((await api.call('viewer', 'GET', '/api/v1/entities/ServiceProvider?code=AWS')).body.error.details.fields).toEqual({
      code: ['must be one of: SCALEWAY, OVH, CLOUDFLARE, EXOSCALE'],
    });
    expect((await api.call('viewer', 'GET', '/api/v1/entities/ServiceProvider?per_page=0')).status).toBe(400);
    expect((await api.call('admin', 'GET', '/api/v1/entities/Credential?token=x')).body.error.details.fields).toEqual({ token: ['is write-only: it cannot be filtered on'] });
  });

  it('checks references, unique fields and deletes', async () => {
    const ghost = await api.call('admin', 'POST', '/api/v1/entities/ServiceProvider', { name: 'ghost', code: 'OVH', apiBaseUrl: 'https://eu.api.ovh.com', credentialId: '00000000-0000-4000-8000-000000000000' });
    expect(ghost.body.error.details.fields).toEqual({ credentialId: ['no Credential has the id 00000000-0000-4000-8000-000000000000'] });
    const twice = await api.call('admin', 'POST', '/api/v1/entities/ServiceProvider', { name: 'sp-alpha', code: 'OVH', apiBaseUrl: 'https://eu.api.ovh.com' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.details.fields).toEqual({ name: ['is already used by another Service provider'] });
    const { body: credential } = await api.call('admin', 'POST', '/api/v1/entities/Credential', { domainName: 'api.exoscale.com', authenticationType: 'EXOSCALE_HMAC', apiKey: 'EXO1', passwordSecret: 'shh' });
    const { body: provider } = await api.call('admin', 'POST', '/api/v1/entities/ServiceProvider', { name: 'exo', code: 'EXOSCALE', apiBaseUrl: 'https://api-ch-gva-2.exoscale.com/v2', credentialId: credential.id, zones: ['ch-gva-2'] });
    expect(provider.credentialId).toBe(credential.id);
    expect((await api.call('admin', 'DELETE', `/api/v1/entities/ServiceProvider/${provider.id}`)).status).toBe(204);
    expect((await api.call('admin', 'GET', `/api/v1/entities/ServiceProvider/${provider.id}`)).status).toBe(404);
    expect((await api.call('admin', 'GET', '/api/v1/entities/ServiceProvider/not-a-uuid')).status).toBe(404);
  });

  it('enforces roles on every route', async () => {
    expect((await api.call(null, 'GET', '/api/v1/entities/ServiceProvider')).status).toBe(401);
    expect((await api.call('viewer', 'POST', '/api/v1/entities/ServiceProvider', { name: 'x', code: 'OVH', apiBaseUrl: 'https://x.example' })).status).toBe(403);
    // Credentials and service providers are managed by admins; an operator may read credentials but not write them.
    expect((await api.call('operator', 'POST', '/api/v1/entities/Credential', { domainName: 'x.example', token: 't' })).status).toBe(403);
    expect((await api.call('viewer', 'GET', '/api/v1/entities/Credential')).status).toBe(403);
    expect((await api.call('operator', 'GET', '/api/v1/entities/Credential')).status).toBe(200);
    const unknown = await fetch(`${api.url}/api/v1/modules`, { headers: { authorization: 'Bearer mvt_nope' } });
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual({ error: { code: 'unauthorized', message: 'Unknown or revoked API token', details: null } });
  });

  it('answers JSON for every error, never HTML', async () => {
    const broken = await api.call('admin', 'POST', '/api/v1/entities/Credential', '{"domainName":');
    expect(broken.status).toBe(400);
    expect(broken.body).toEqual({ error: { code: 'invalid_request', message: 'The body is not valid JSON', details: null } });
    const array = await api.call('admin', 'POST', '/api/v1/entities/Credential', []);
    expect(array.body.error.code).toBe('invalid_request');
    const route = await api.call('admin', 'GET', '/api/v1/entities/Nope');
    expect(route.status).toBe(404);
    expect(route.headers.get('content-type')).toContain('application/json');
  });

  it('refuses out-of-range integers, NUL characters and malformed filters with a 400, never a 500', async () => {
    const { body: credential } = await api.call('admin', 'POST', '/api/v1/entities/Credential', { domainName: 'api.bounds.example', token: 't' });
    const huge = await api.call('admin', 'PATCH', `/api/v1/entities/Credential/${credential.id}`, { credit: 3_000_000_000 });
    expect(huge.status).toBe(400);
    expect(huge.body.error.details.fields).toEqual({ credit: ['must not be greater than 2147483647'] });
    const nul = await api.call('admin', 'POST', '/api/v1/entities/Credential', { domainName: 'api.nul.example', token: 't', username: 'a\u0000b' });
    expect(nul.status).toBe(400);
    expect(nul.body.error.details.fields).toEqual({ username: ['must not contain NUL characters'] });
    for (const [query, fields] of [
      ['credit=1.5', { credit: ['must be an integer from 0 to 2147483647'] }],
      ['credit=', { credit: ['must be an integer from 0 to 2147483647'] }],
      ['credit=99999999999', { credit: ['must be an integer from 0 to 2147483647'] }],
      ['username=a%00b', { username: ['must not contain NUL characters'] }],
      ['username=a&username=b', { username: ['must be given once, as a single value'] }],
      ['sort=domainName&sort=username', { sort: ['must be given once, as a single value'] }],
    ] as const) {
      const refused = await api.call('admin', 'GET', `/api/v1/entities/Credential?${query}`);
      expect(refused.status, query).toBe(400);
      expect(refused.body.error.details.fields, query).toEqual(fields);
    }
    expect((await api.call('admin', 'GET', '/api/v1/entities/Credential?credit=0')).status).toBe(200);
    const schema = (await api.call('viewer', 'GET', '/api/v1/openapi.json')).body.components.schemas.Credential.properties.credit;
    expect(schema).toMatchObject({ type: 'integer', minimum: 0, maximum: 2147483647 });
  });

  it('pages records created at the same instant in a stable order, newest first then by id', async () => {
    const repo = runtime.data.getRepository(Credential);
    const createdAt = new Date('2030-01-01T00:00:00.000Z');
    await repo.insert(Array.from({ length: 12 }, (_, i) => repo.create({ domainName: 'api.tie.example', username: `u${i}`, token: 't', createdAt })));
    const pages = [];
    for (const page of [1, 2, 3]) {
      pages.push(...(await api.call('admin', 'GET', `/api/v1/entities/Credential?domainName=api.tie.example&per_page=5&page=${page}`)).body.items);
    }
    const ids = pages.map((c: { id: string }) => c.id);
    expect(ids).toHaveLength(12);
    expect(ids).toEqual([...ids].sort().reverse());
  });
});
