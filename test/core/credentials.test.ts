import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exoscaleAuthorization } from '../../credentials/auth/exoscale-hmac.js';
import { AUTH_SCHEMES } from '../../credentials/auth/schemes.js';
import type { OpenCredential } from '../../credentials/auth/scheme.js';
import type { Credentials } from '../../credentials/credential-service.js';
import { Credential } from '../../credentials/entities/credential.js';
import { SecretBox } from '../../core/secrets.js';
import type { OutgoingRequest } from '../../core/http/provider-http.js';
import type { Runtime } from '../../core/runtime.js';
import { json, recordingServer } from '../support/http-server.js';
import { DIALECTS, startRuntime, testDatabase, type TestDatabase } from '../support/runtime.js';
import { modulesWithWidgets } from '../support/widgets.js';

const admin = { kind: 'token', id: 't', name: 'test', role: 'admin' } as const;

describe('secret box', () => {
  const box = SecretBox.fromKey(Buffer.alloc(32, 7));

  it('round-trips, with a new nonce each time', () => {
    const a = box.seal('hunter2', 'Credential.password');
    const b = box.seal('hunter2', 'Credential.password');
    expect(a).toMatch(/^mvenc:v1:/);
    expect(a).not.toBe(b);
    expect(box.open(a, 'Credential.password')).toBe('hunter2');
  });

  it('fails clearly with another key, another field or a tampered value', () => {
    const sealed = box.seal('hunter2', 'Credential.password');
    const expected = /Cannot decrypt Credential.password: the master key .* is not the one it was encrypted with/;
    expect(() => SecretBox.fromKey(Buffer.alloc(32, 8)).open(sealed, 'Credential.password')).toThrow(expected);
    expect(() => box.open(sealed, 'Credential.token')).toThrow(/Cannot decrypt Credential.token/);
    expect(() => box.open(sealed.slice(0, -2) + 'AA', 'Credential.password')).toThrow(expected);
  });

  it('reads MV_MASTER_KEY as base64 or hex and refuses anything else', () => {
    const key = Buffer.alloc(32, 9);
    const sealed = SecretBox.load({ masterKey: key.toString('base64'), dataDir: '/nonexistent' }).seal('x', 'f');
    expect(SecretBox.load({ masterKey: key.toString('hex'), dataDir: '/nonexistent' }).open(sealed, 'f')).toBe('x');
    expect(() => SecretBox.load({ masterKey: 'too-short', dataDir: '/nonexistent' })).toThrow('MV_MASTER_KEY must hold 32 bytes');
  });
});

describe('authentication types', () => {
  const credential = (fields: Partial<OpenCredential> & { secrets?: Record<string, string> }): OpenCredential => ({
    id: 'c',
    domainName: 'api.example.com',
    username: null,
    headerKey: null,
    headerValue: null,
    tokenExpiry: null,
    extraParameters: {},
    ...fields,
    secret: (name) => fields.secrets?.[name],
  });
  const request = (method = 'GET', url = 'https://api.example.com/v1/things?b=2&a=1', body?: string): OutgoingRequest => ({ method, url: new URL(url), headers: {}, body });

  it('each type decides how the request is authenticated', async () => {
    const r1 = request();
    AUTH_SCHEMES.API_KEY.sign!(credential({ headerKey: 'X-Auth-Token', secrets: { apiKey: 'k1' } }), r1);
    expect(r1.headers).toEqual({ 'x-auth-token': 'k1' });
    const r2 = request();
    AUTH_SCHEMES.HEADER.sign!(credential({ headerKey: 'Authorization', headerValue: 'Bearer #{entity.getToken()}', secrets: { token: 't2' } }), r2);
    expect(r2.headers).toEqual({ authorization: 'Bearer t2' });
    const r3 = request();
    AUTH_SCHEMES.HEADER.sign!(credential({ headerKey: 'X-Key', headerValue: '{{username}}:{{apiKey}}', username: 'me', secrets: { apiKey: 'k3' } }), r3);
    expect(r3.headers).toEqual({ 'x-key': 'me:k3' });
    const r4 = request();
    AUTH_SCHEMES.HTTP_BASIC.sign!(credential({ username: 'ops', secrets: { password: 'pw' } }), r4);
    expect(r4.headers).toEqual({ authorization: `Basic ${Buffer.from('ops:pw').toString('base64')}` });
    const r5 = request();
    AUTH_SCHEMES.OAUTH2.sign!(credential({ secrets: { token: 'oa' } }), r5);
    expect(r5.headers).toEqual({ authorization: 'Bearer oa' });
    expect(AUTH_SCHEMES.SSH.sign).toBeUndefined();
  });

  it('signs OVH API calls with the $1$ SHA-1 signature', () => {
    const r = request('POST', 'https://eu.api.ovh.com/1.0/domain/zone/example.com/record', '{"fieldType":"A"}');
    AUTH_SCHEMES.OVH_SIGNATURE.sign!(credential({ secrets: { apiKey: 'AK', passwordSecret: 'AS', token: 'CK' } }), r);
    const timestamp = r.headers['x-ovh-timestamp'];
    const expected = '$1$' + createHash('sha1').update(`AS+CK+POST+${r.url}+{"fieldType":"A"}+${timestamp}`).digest('hex');
    expect(r.headers).toMatchObject({ 'x-ovh-application': 'AK', 'x-ovh-consumer': 'CK', 'x-ovh-signature': expected });
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('signs Exoscale calls as the v2 API documents (message lines, signed query args)', () => {
    const header = exoscaleAuthorization('GET', new URL('https://api-ch-gva-2.exoscale.com/v2/resource/a02baf5a-a3e4-49a0-857b-8a08d276c1c0?p1=v1&p2=v2'), undefined, 'EXOkey', 'secret', 1599140767);
    const message = 'GET /v2/resource/a02baf5a-a3e4-49a0-857b-8a08d276c1c0\n\nv1v2\n\n1599140767';
    const signature = createHmac('sha256', 'secret').update(message).digest('base64');
    expect(header).toBe(`EXO2-HMAC-SHA256 credential=EXOkey,signed-query-args=p1;p2,expires=1599140767,signature=${signature}`);
    const post = exoscaleAuthorization('POST', new URL('https://api-ch-gva-2.exoscale.com/v2/security-group'), '{"name": "my-security-group"}', 'k', 's', 1599140767);
    expect(post).toBe(`EXO2-HMAC-SHA256 credential=k,expires=1599140767,signature=${createHmac('sha256', 's').update('POST /v2/security-group\n{"name": "my-security-group"}\n\n\n1599140767').digest('base64')}`);
  });
});

describe.each(DIALECTS)('credential service on %s', (dialect) => {
  let db: TestDatabase;
  let runtime: Runtime;
  let service: Credentials;
  let tokenEndpoint: Awaited<ReturnType<typeof recordingServer>>;
  let api: Awaited<ReturnType<typeof recordingServer>>;
  const save = (fields: Partial<Credential>) => runtime.data.getRepository(Credential).save(runtime.data.getRepository(Credential).create(fields));

  beforeAll(async () => {
    db = await testDatabase(dialect);
    // The loopback API and token endpoint below are allowed as an operator would: MV_ALLOWED_API_HOSTS.
    runtime = await startRuntime(db, { modules: await modulesWithWidgets(), worker: true, config: { allowedApiHosts: ['127.0.0.1'] } });
    service = runtime.service<Credentials>('mv-credentials', 'credentials');
    tokenEndpoint = await recordingServer((req, _i, res) =>
      new URLSearchParams(req.body).get('refresh_token') === 'good-refresh'
        ? json(res, 200, { access_token: `fresh-${Date.now()}`, expires_in: 3600, refresh_token: 'next-refresh' })
        : json(res, 400, { error: 'invalid_grant' }),
    );
    api = await recordingServer((req, _i, res) =>
      req.headers['x-api-key'] === 'right-key' ? json(res, 200, { account: 'acme' }) : json(res, 401, { message: 'bad key' }),
    );
  });
  afterAll(async () => {
    await tokenEndpoint.close();
    await api.close();
    await runtime.close();
    await db.drop();
  });

  it('finds the credential of a domain by its longest match, and refuses to guess between two', async () => {
    const cloudflare = await save({ domainName: 'api.cloudflare.com/client/v4', token: 'cf' });
    await save({ domainName: 'api.cloudflare.com', token: 'other' });
    expect(await service.findIdByDomain('https://api.cloudflare.com/client/v4/zones')).toBe(cloudflare.id);
    await save({ domainName: 'API.Scaleway.com/', token: 'a' });
    await save({ domainName: 'api.scaleway.com', token: 'b' });
    await expect(service.findIdByDomain('api.scaleway.com')).rejects.toThrow(/2 active credentials match api.scaleway.com/);
    await save({ domainName: 'old.example.com', token: 'x', status: 'INACTIVE' });
    await expect(service.findIdByDomain('old.example.com')).rejects.toThrow('No active credential for old.example.com');
  });

  it('renews an expired OAuth2 token before use, and stores the new one sealed', async () => {
    const credential = await save({
      domainName: 'api.example.com',
      authenticationType: 'OAUTH2',
      token: 'expired',
      refreshToken: 'good-refresh',
      tokenExpiry: new Date(Date.now() - 1000),
      extraParameters: { tokenUrl: `${tokenEndpoint.url}/oauth/token`, clientId: 'app' },
    });
    const request: OutgoingRequest = { method: 'GET', url: new URL('https://api.example.com/x'), headers: {} };
    await (await service.signer(credential.id))(request);
    expect(request.headers.authorization).toMatch(/^Bearer fresh-\d+$/);
    expect(new URLSearchParams(tokenEndpoint.requests[0].body).get('client_id')).toBe('app');
    const stored = await runtime.data.getRepository(Credential).findOneByOrFail({ id: credential.id });
    expect(stored.token).toMatch(/^mvenc:v1:/);
    expect(stored.tokenExpiry!.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    expect(await service.reveal(credential.id, 'refreshToken')).toBe('next-refresh');
  });

  it('gets a token before the first use when there is only a refresh token, instead of sending an empty one', async () => {
    const credential = await save({
      domainName: 'api.first-use.example',
      authenticationType: 'OAUTH2',
      refreshToken: 'good-refresh',
      extraParameters: { tokenUrl: `${tokenEndpoint.url}/oauth/token` },
    });
    const request: OutgoingRequest = { method: 'GET', url: new URL('https://api.first-use.example/x'), headers: {} };
    await (await service.signer(credential.id))(request);
    expect(request.headers.authorization).toMatch(/^Bearer fresh-\d+$/);
    expect(await service.reveal(credential.id, 'token')).toBe(request.headers.authorization.slice('Bearer '.length));
  });

  it('stops with a clear error when a token cannot be renewed, instead of using the old one', async () => {
    const credential = await save({
      domainName: 'api.example.org',
      authenticationType: 'OAUTH2',
      token: 'expired',
      refreshToken: 'revoked',
      tokenExpiry: new Date(Date.now() - 1000),
      extraParameters: { tokenUrl: `${tokenEndpoint.url}/oauth/token` },
    });
    await expect(service.signer(credential.id)).rejects.toThrow(/Token endpoint of api.example.org refreshToken \(POST \/oauth\/token\): 400/);
  });

  it('verifies a credential against its provider through the action, and records the connection', async () => {
    const host = new URL(api.url).host;
    const good = await save({ domainName: host, apiKey: 'right-key', headerKey: 'X-API-KEY' });
    const [job] = await runtime.runner.invoke({ entity: 'Credential', action: 'verifyCredential', recordId: good.id, actor: admin });
    const ended = await runtime.runner.wait(job.id, 10);
    expect(ended).toMatchObject({ status: 'succeeded', message: `Credential for ${host} works: Loopback API: account acme` });
    expect((await runtime.data.getRepository(Credential).findOneByOrFail({ id: good.id })).lastConnection).toBeInstanceOf(Date);
    const bad = await save({ domainName: host, apiKey: 'wrong-key', headerKey: 'X-API-KEY' });
    const failed = await runtime.runner.wait((await runtime.runner.invoke({ entity: 'Credential', action: 'verifyCredential', recordId: bad.id, actor: admin }))[0].id, 10);
    expect(failed).toMatchObject({ status: 'failed', error: 'Loopback API whoami (GET /whoami): 401 bad key' });
    const nothing = await save({ domainName: 'api.unknown.example', token: 't' });
    const unverifiable = await runtime.runner.wait((await runtime.runner.invoke({ entity: 'Credential', action: 'verifyCredential', recordId: nothing.id, actor: admin }))[0].id, 10);
    expect(unverifiable.error).toBe('Nothing can check a credential for api.unknown.example: no installed module declares a check for this domain');
  });

  it('cannot open secrets with another master key', async () => {
    const credential = await save({ domainName: 'api.keyed.example', token: 'sealed-with-key-one' });
    const other = await startRuntime(db, { modules: await modulesWithWidgets(), config: { masterKey: Buffer.alloc(32, 1).toString('base64') } });
    try {
      await expect(other.service<Credentials>('mv-credentials', 'credentials').reveal(credential.id, 'token')).rejects.toThrow(/Cannot decrypt Credential.token/);
    } finally {
      await other.close();
    }
    expect(await service.reveal(credential.id, 'token')).toBe('sealed-with-key-one');
  });
});
