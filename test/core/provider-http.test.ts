import { afterEach, describe, expect, it, vi } from 'vitest';
import { MvError } from '../../core/errors.js';
import { BudgetRegistry, RequestBudget } from '../../core/http/budget.js';
import { ProviderError } from '../../core/http/provider-error.js';
import { ProviderHttp, type ProviderHttpOptions } from '../../core/http/provider-http.js';
import { retryDelayMs } from '../../core/http/retry.js';
import { capturedLogger } from '../support/log.js';
import { json, recordingServer } from '../support/http-server.js';
import { scalewayWorld, type ScalewayWorld } from '../support/scaleway.js';
import { scaleway } from '../../providers/scaleway/connect.js';
import { ServiceProvider } from '../../entities/service-provider.js';
import type { Runtime } from '../../core/runtime.js';

type Server = Awaited<ReturnType<typeof recordingServer>>;
const FAST = { baseDelayMs: 5, maxDelayMs: 20 };

describe('provider HTTP layer', () => {
  let server: Server;
  afterEach(() => server?.close());

  const client = (options: Partial<ProviderHttpOptions> = {}) =>
    new ProviderHttp({
      provider: 'Acme',
      baseURL: server.url + '/v1',
      budget: new RequestBudget({ requestsPerSecond: 1000, burst: 1000, concurrency: 10 }),
      logger: capturedLogger().logger,
      retry: FAST,
      parseError: (_status, body) => ({ code: (body as { type?: string })?.type, message: (body as { message?: string })?.message }),
      ...options,
    });

  it('rides out a storm of bare 429s and succeeds', async () => {
    server = await recordingServer((req, i, res) => (i < 4 ? (res.writeHead(429, { 'x-envoy-ratelimited': 'true' }), res.end()) : json(res, 201, { server: { id: 's1' } })));
    const response = await client().request({ call: 'createServer', method: 'POST', path: '/servers', body: { name: 'web' } });
    expect(response).toMatchObject({ status: 201, data: { server: { id: 's1' } } });
    expect(server.requests).toHaveLength(5);
    expect(server.requests.every((r) => r.body === '{"name":"web"}')).toBe(true);
  });

  it('waits as long as Retry-After says', async () => {
    server = await recordingServer((_req, i, res) => (i === 0 ? json(res, 429, {}, { 'retry-after': '1' }) : json(res, 200, {})));
    await client().request({ call: 'listServers', method: 'GET', path: '/servers' });
    expect(server.requests[1].at - server.requests[0].at).toBeGreaterThanOrEqual(950);
    expect(retryDelayMs(0, { maxRetries: 1, ...FAST }, new Date(Date.now() + 2_000).toUTCString())).toBeGreaterThan(1_000);
  });

  it('does not repeat a create that may have happened, but repeats reads', async () => {
    server = await recordingServer((req, _i, res) => json(res, 500, { type: 'internal', message: 'boom' }));
    const create = client().request({ call: 'createServer', method: 'POST', path: '/servers', body: {} });
    await expect(create).rejects.toThrow('Acme createServer (POST /v1/servers): 500 internal: boom');
    expect(server.requests).toHaveLength(1);
    await expect(client({ retry: { ...FAST, maxRetries: 2 } }).request({ call: 'getServer', method: 'GET', path: '/servers/1' })).rejects.toBeInstanceOf(ProviderError);
    expect(server.requests).toHaveLength(4);
  });

  it('names the provider, the call, the status and the provider’s own message and fields', async () => {
    server = await recordingServer((_req, _i, res) => json(res, 400, { type: 'invalid_arguments', message: 'invalid argument(s)' }));
    const error = (await client({
      parseError: (_s, body) => ({ code: (body as { type: string }).type, message: (body as { message: string }).message, fields: { name: ['required key not provided'] } }),
    })
      .request({ call: 'createServer', method: 'POST', path: '/servers', body: {} })
      .catch((e: unknown) => e)) as ProviderError;
    expect(error.message).toBe('Acme createServer (POST /v1/servers): 400 invalid_arguments: invalid argument(s) — name: required key not provided');
    expect(error).toMatchObject({ code: 'validation_failed', httpStatus: 400, providerCode: 'invalid_arguments', fields: { name: ['required key not provided'] } });
  });

  it('says when no answer came back, and gives up after its timeout', async () => {
    server = await recordingServer(() => undefined);
    await expect(client({ timeoutMs: 200, retry: { ...FAST, maxRetries: 0 } }).request({ call: 'getServer', method: 'GET', path: '/s' })).rejects.toThrow(
      'Acme getServer (GET /v1/s): no response no answer within 0.2 s',
    );
  });

  it('sends the credential only to allowed hosts', async () => {
    server = await recordingServer((_req, _i, res) => json(res, 200, {}));
    const sign = (r: { headers: Record<string, string> }) => void (r.headers['x-auth-token'] = 'secret-token');
    await client({ sign, allowedHosts: ['127.0.0.1'] }).request({ call: 'list', method: 'GET', path: '/x' });
    expect(server.requests[0].headers['x-auth-token']).toBe('secret-token');
    const elsewhere = client({ sign, allowedHosts: ['api.scaleway.com'] }).request({ call: 'list', method: 'GET', path: '/x' });
    await expect(elsewhere).rejects.toThrow("Refusing to send the Acme credential to 127.0.0.1: it is not one of the provider's allowed API hosts (api.scaleway.com)");
    await expect(client({ sign }).request({ call: 'list', method: 'GET', path: '/x' })).rejects.toMatchObject({ code: 'forbidden' });
    expect(server.requests).toHaveLength(1);
  });

  it('stops at once when the request cannot be signed: nothing was sent, nothing is retried', async () => {
    server = await recordingServer((_req, _i, res) => json(res, 200, {}));
    const sign = vi.fn(() => {
      throw new MvError('precondition_failed', 'Credential api.example has no Keystone token yet');
    });
    for (const method of ['GET', 'POST', 'DELETE'] as const) {
      const error = await client({ sign, allowedHosts: ['127.0.0.1'] }).request({ call: 'listServers', method, path: '/servers' }).catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ code: 'precondition_failed', message: 'Credential api.example has no Keystone token yet' });
    }
    expect(sign).toHaveBeenCalledTimes(3);
    expect(server.requests).toHaveLength(0);
  });

  it('keeps secrets out of the logs', async () => {
    server = await recordingServer((_req, i, res) => (i === 0 ? json(res, 503, {}) : json(res, 200, { token: 'leak-me-not' })));
    const log = capturedLogger();
    await client({ logger: log.logger, sign: (r) => void (r.headers.authorization = 'Bearer leak-me-not'), allowedHosts: ['127.0.0.1'] }).request({
      call: 'whoami',
      method: 'GET',
      path: '/me',
    });
    expect(log.lines().length).toBe(2);
    expect(log.text()).not.toContain('leak-me-not');
    expect(JSON.parse(log.lines()[0])).toMatchObject({ provider: 'Acme', call: 'whoami', status: 503, msg: 'provider call retried' });
  });

  it('logs our request id and the provider’s on each call', async () => {
    server = await recordingServer((_req, i, res) => (i === 0 ? json(res, 503, {}) : json(res, 200, {}, { 'x-provider-id': 'prov-42' })));
    const log = capturedLogger('debug');
    await client({ logger: log.logger, requestIdHeader: 'x-provider-id' }).request({ call: 'listServers', method: 'GET', path: '/servers' });
    const lines = log.lines().map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toEqual(['provider call retried', 'provider call']);
    // Each attempt its own id, the one sent in x-request-id; the provider's id when it gave one.
    expect(lines.map((l) => l.requestId)).toEqual(server.requests.map((r) => r.headers['x-request-id']));
    expect(new Set(lines.map((l) => l.requestId)).size).toBe(2);
    expect(lines[1]).toMatchObject({ level: 20, call: 'listServers', status: 200, providerRequestId: 'prov-42' });
    expect(lines[0].providerRequestId).toBeUndefined();
  });

  it('spends the account budget at the configured pace, shared by all clients of the account', async () => {
    server = await recordingServer((_req, _i, res) => json(res, 200, {}));
    const budget = new RequestBudget({ requestsPerSecond: 20, burst: 1, concurrency: 5 });
    const [a, b] = [client({ budget }), client({ budget })];
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).request({ call: 'list', method: 'GET', path: '/x' })));
    const span = server.requests.at(-1)!.at - server.requests[0].at;
    // 10 requests at 20/s with a burst of 1: the last starts 9 intervals of 50 ms after the first.
    expect(span).toBeGreaterThanOrEqual(9 * 50 - 20);
  });
});

describe('request budget per account', () => {
  let world: ScalewayWorld | undefined;
  afterEach(async () => world?.close());

  it('keeps one budget per account, with the settings last asked for', () => {
    const budgets = new BudgetRegistry();
    const first = budgets.get('acme:1', { requestsPerSecond: 10, burst: 10, concurrency: 2 });
    const again = budgets.get('acme:1', { requestsPerSecond: 5, burst: 5, concurrency: 1 });
    expect(again).toBe(first);
    expect(again.settings).toEqual({ requestsPerSecond: 5, burst: 5, concurrency: 1 });
    expect(budgets.get('acme:2', first.settings)).not.toBe(first);
  });

  it('gives two service providers on one credential the same budget: the account’s', async () => {
    world = await scalewayWorld('sqlite');
    const { runtime } = world;
    const provider = (fields: Record<string, unknown> = {}) =>
      world!.create('ServiceProvider', { name: `p-${Math.random()}`, code: 'SCALEWAY', apiBaseUrl: world!.scw.url, allowedApiHosts: ['127.0.0.1'], zones: ['fr-par-1'], credentialId: world!.credentialId, ...fields });
    const otherCredential = await world.create('Credential', { domainName: 'other.example', authenticationType: 'API_KEY', headerKey: 'X-Auth-Token', apiKey: 'k' });
    const ids = [world.providerId, (await provider()).id, (await provider({ credentialId: otherCredential.id })).id];
    // The real Scaleway connector on the real HTTP layer; only the client it makes is kept, to read its budget.
    const budgets: RequestBudget[] = [];
    const http = (options: Parameters<Runtime['http']>[0]) => {
      const client = runtime.http(options);
      budgets.push(client.options.budget);
      return client;
    };
    for (const id of ids) {
      await scaleway({ credentials: runtime.credentials, http }, await runtime.data.getRepository(ServiceProvider).findOneByOrFail({ id }));
    }
    expect(budgets[1]).toBe(budgets[0]);
    expect(budgets[2]).not.toBe(budgets[0]);
  });
});
