import type { DeepPartial, ObjectLiteral } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Credentials } from '../../credentials/credential-service.js';
import { Credential } from '../../credentials/entities/credential.js';
import type { OutgoingRequest } from '../../core/http/provider-http.js';
import type { Runtime } from '../../core/runtime.js';
import { ServiceProvider } from '../../entities/service-provider.js';
import { json, recordingServer, type RecordedRequest } from '../support/http-server.js';
import { DIALECTS, startRuntime, testDatabase, type TestDatabase } from '../support/runtime.js';
import { modulesWithWidgets } from '../support/widgets.js';

const admin = { kind: 'token', id: 't', name: 'test', role: 'admin' } as const;
type Answer = (req: RecordedRequest, res: import('node:http').ServerResponse) => void;

/** Where a credential goes, when its token is renewed, and how a cancel stops it: no MV_ALLOWED_API_HOSTS here. */
describe.each(DIALECTS)('credential hosts, renewal and cancel on %s', (dialect) => {
  let db: TestDatabase;
  let runtime: Runtime;
  let service: Credentials;
  let listener: Awaited<ReturnType<typeof recordingServer>>;
  // Each test decides what the loopback listener answers.
  let answer: Answer;
  const save = <T extends ObjectLiteral>(entity: new () => T, fields: DeepPartial<T>): Promise<T> => {
    const repository = runtime.data.getRepository(entity);
    return repository.save(repository.create(fields));
  };
  const scalewayUsing = (credentialId: string, allowedApiHosts: string[] | null = null) =>
    save(ServiceProvider, { name: `scw-${credentialId}`, code: 'SCALEWAY', apiBaseUrl: 'https://api.scaleway.com', credentialId, allowedApiHosts, zones: ['fr-par-1'] });
  const verifyJob = async (credentialId: string, seconds = 10) => {
    const [job] = await runtime.runner.invoke({ entity: 'Credential', action: 'verifyCredential', recordId: credentialId, actor: admin });
    return runtime.runner.wait(job.id, seconds);
  };
  const host = () => new URL(listener.url).host;
  const tokenAnswer: Answer = (req, res) =>
    json(res, 200, { access_token: `fresh-${listener.requests.length}`, expires_in: 3600, refresh_token: new URLSearchParams(req.body).get('refresh_token') });

  beforeAll(async () => {
    db = await testDatabase(dialect);
    runtime = await startRuntime(db, { modules: await modulesWithWidgets(), worker: true });
    service = runtime.service<Credentials>('mv-credentials', 'credentials');
    listener = await recordingServer((req, _i, res) => answer(req, res));
  });
  afterEach(() => void listener.requests.splice(0));
  afterAll(async () => {
    await listener.close();
    await runtime.close();
    await db.drop();
  });

  it('verifyCredential sends the credential only to hosts its service providers allow', async () => {
    answer = (_req, res) => json(res, 200, { account: 'acme', servers: [] }, { 'x-total-count': '0' });
    const credential = await save(Credential, { domainName: 'api.scaleway.com', authenticationType: 'API_KEY', headerKey: 'X-Auth-Token', apiKey: 'LEAKME' });
    const provider = await scalewayUsing(credential.id);
    // An operator points the credential at another host; its provider still allows only api.scaleway.com.
    await runtime.data.getRepository(Credential).update({ id: credential.id }, { domainName: host() });
    const refused = await verifyJob(credential.id);
    expect(refused).toMatchObject({ status: 'failed', errorCode: 'forbidden' });
    expect(refused.error).toBe(
      `Refusing to send the credential of ${host()} to 127.0.0.1 (its domain name): only api.scaleway.com may receive it. If 127.0.0.1 is legitimate, add it to the allowed API hosts of the service provider using this credential, or to MV_ALLOWED_API_HOSTS.`,
    );
    expect(listener.requests).toEqual([]);

    await runtime.data.getRepository(ServiceProvider).update({ id: provider.id }, { allowedApiHosts: ['127.0.0.1'] });
    expect(await verifyJob(credential.id)).toMatchObject({ status: 'succeeded' });
    expect(listener.requests.map((r) => r.headers['x-auth-token'])).toEqual(['LEAKME']);
  });

  it('refuses a credential that no service provider uses and no allow-list names, sending nothing', async () => {
    answer = (_req, res) => json(res, 200, { account: 'acme' });
    const credential = await save(Credential, { domainName: host(), authenticationType: 'API_KEY', headerKey: 'X-Auth-Token', apiKey: 'LEAKME' });
    const refused = await verifyJob(credential.id);
    expect(refused.error).toBe(
      `Refusing to send the credential of ${host()} to 127.0.0.1 (its domain name): no service provider uses it and MV_ALLOWED_API_HOSTS does not list that host. If 127.0.0.1 is legitimate, add it to the allowed API hosts of the service provider using this credential, or to MV_ALLOWED_API_HOSTS.`,
    );
    expect(listener.requests).toEqual([]);
  });

  it('sends a refresh token and client secret only to an allowed token endpoint', async () => {
    answer = tokenAnswer;
    const credential = await save(Credential, {
      domainName: 'api.scaleway.com',
      authenticationType: 'OAUTH2',
      token: 'expired',
      refreshToken: 'REFRESH-LEAKME',
      passwordSecret: 'CLIENT-SECRET-LEAKME',
      tokenExpiry: new Date(Date.now() - 1000),
      extraParameters: { tokenUrl: `${listener.url}/oauth/token` },
    });
    const provider = await scalewayUsing(credential.id);
    const error = (await service.signer(credential.id).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(
      `Refusing to send the credential of api.scaleway.com to 127.0.0.1 (its token endpoint): only api.scaleway.com may receive it. If 127.0.0.1 is legitimate, add it to the allowed API hosts of the service provider using this credential, or to MV_ALLOWED_API_HOSTS.`,
    );
    expect(listener.requests).toEqual([]);

    await runtime.data.getRepository(ServiceProvider).update({ id: provider.id }, { allowedApiHosts: ['api.scaleway.com', '127.0.0.1'] });
    const request: OutgoingRequest = { method: 'GET', url: new URL('https://api.scaleway.com/x'), headers: {} };
    await (await service.signer(credential.id))(request);
    expect(request.headers.authorization).toBe('Bearer fresh-1');
    expect(new URLSearchParams(listener.requests[0].body).get('client_secret')).toBe('CLIENT-SECRET-LEAKME');
  });

  it('a cancelled verifyCredential stops its retries at once', async () => {
    answer = (_req, res) => json(res, 503, { message: 'busy' });
    const credential = await save(Credential, { domainName: host(), authenticationType: 'API_KEY', headerKey: 'X-Auth-Token', apiKey: 'k' });
    await scalewayUsing(credential.id, ['127.0.0.1']);
    const [job] = await runtime.runner.invoke({ entity: 'Credential', action: 'verifyCredential', recordId: credential.id, actor: admin });
    await expect.poll(() => listener.requests.length, { timeout: 10_000 }).toBeGreaterThan(0);
    await runtime.queue.cancel(job.id, admin);
    const cancelledAt = listener.requests.length;
    // Without the job's signal, the backoff (500 ms doubling, 8 retries) would keep it running for half a minute.
    expect(await runtime.runner.wait(job.id, 3)).toMatchObject({ status: 'cancelled' });
    expect(listener.requests.length).toBe(cancelledAt);
  });

  it('checks the token expiry before each request of a long-lived client, not once', async () => {
    answer = tokenAnswer;
    const credential = await save(Credential, {
      domainName: 'api.scaleway.com',
      authenticationType: 'OAUTH2',
      token: 'about-to-expire',
      refreshToken: 'r',
      // Just outside the renewal margin (60 s) now, inside it a moment later.
      tokenExpiry: new Date(Date.now() + 61_000),
      extraParameters: { tokenUrl: `${listener.url}/oauth/token` },
    });
    await scalewayUsing(credential.id, ['api.scaleway.com', '127.0.0.1']);
    const sign = await service.signer(credential.id);
    const signed = async () => {
      const request: OutgoingRequest = { method: 'GET', url: new URL('https://api.scaleway.com/x'), headers: {} };
      await sign(request);
      return request.headers.authorization;
    };
    expect(await signed()).toBe('Bearer about-to-expire');
    expect(await signed()).toBe('Bearer about-to-expire');
    expect(listener.requests).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await signed()).toBe('Bearer fresh-1');
    expect(await signed()).toBe('Bearer fresh-1');
    expect(listener.requests).toHaveLength(1);
  });

  it('on a 401, renews a refreshable token once and sends the call once more', async () => {
    // The API accepts only renewed tokens; the token endpoint renews.
    answer = (req, res) => {
      if (req.url === '/oauth/token') return tokenAnswer(req, res);
      if (/^Bearer fresh-/.test(String(req.headers.authorization))) return json(res, 200, { ok: true });
      json(res, 401, { message: 'token revoked' });
    };
    const oauth = await save(Credential, {
      domainName: host(),
      authenticationType: 'OAUTH2',
      token: 'revoked-early',
      refreshToken: 'r',
      tokenExpiry: new Date(Date.now() + 3_600_000),
      extraParameters: { tokenUrl: `${listener.url}/oauth/token` },
    });
    await scalewayUsing(oauth.id, ['127.0.0.1']);
    const client = async (credentialId: string) =>
      runtime.http({ provider: 'Loopback', baseURL: listener.url, account: `t:${credentialId}`, budget: { requestsPerSecond: 50, burst: 50, concurrency: 2 }, sign: await service.signer(credentialId), allowedHosts: ['127.0.0.1'] });
    const oauthClient = await client(oauth.id);
    expect((await oauthClient.request({ call: 'createThing', method: 'POST', path: '/things', body: {} })).status).toBe(200);
    expect(listener.requests.map((r) => `${r.url} ${r.headers.authorization ?? ''}`)).toEqual(['/things Bearer revoked-early', '/oauth/token ', '/things Bearer fresh-2']);

    // A key that cannot be renewed: the 401 is the answer, sent once.
    listener.requests.splice(0);
    const key = await save(Credential, { domainName: host(), authenticationType: 'API_KEY', headerKey: 'X-Auth-Token', apiKey: 'wrong' });
    await scalewayUsing(key.id, ['127.0.0.1']);
    await expect((await client(key.id)).request({ call: 'listThings', method: 'GET', path: '/things' })).rejects.toThrow('Loopback listThings (GET /things): 401 token revoked');
    expect(listener.requests).toHaveLength(1);

    // Renewed and refused again: one retry only.
    listener.requests.splice(0);
    answer = (req, res) => (req.url === '/oauth/token' ? tokenAnswer(req, res) : json(res, 401, { message: 'token revoked' }));
    await expect(oauthClient.request({ call: 'listThings', method: 'GET', path: '/things' })).rejects.toThrow('401 token revoked');
    expect(listener.requests.map((r) => r.url)).toEqual(['/things', '/oauth/token', '/things']);
  });
});
