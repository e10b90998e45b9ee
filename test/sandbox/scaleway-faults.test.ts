import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startScalewayEmulator, type ScalewayEmulator } from '../../sandbox/scaleway/index.js';
import { client, type Client } from './http.js';

const ZONE = '/instance/v1/zones/fr-par-1';

describe('Scaleway emulator: faults and sandbox control', () => {
  let scw: ScalewayEmulator;
  let api: Client;
  const setFaults = (plan: unknown) => api.post('/__sandbox/faults', plan);

  beforeAll(async () => {
    scw = await startScalewayEmulator({ transitionMs: 30 });
    api = client(scw.url);
  });
  afterAll(() => scw.close());
  beforeEach(() => scw.reset());

  it('answers a burst of bare Envoy 429s, then succeeds', async () => {
    await setFaults({ rateLimit: { count: 2, shape: 'bare' } });
    for (let i = 0; i < 2; i++) {
      const limited = await api.get(`${ZONE}/servers`);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('x-envoy-ratelimited')).toBe('true');
      expect(limited.headers.get('retry-after')).toBeNull();
      expect(limited.body).toBe('');
    }
    expect((await api.get(`${ZONE}/servers`)).status).toBe(200);
  });

  it('answers the too_many_requests body in the json shape', async () => {
    await setFaults({ rateLimit: { count: 1, shape: 'json' } });
    const limited = await api.get(`${ZONE}/servers`);
    expect(limited).toMatchObject({ status: 429, body: { type: 'too_many_requests', help_message: expect.any(String), reset_seconds: 1 } });
  });

  it('applies a steady rate limit configured at start, kept across resets', async () => {
    const limited = await startScalewayEmulator({ rateLimit: { perSecond: 1, burst: 2, shape: 'json' } });
    try {
      const limitedApi = client(limited.url);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await limitedApi.get(`${ZONE}/servers`)).status);
      expect(statuses).toEqual([200, 200, 429]);
      expect((await limitedApi.get(`${ZONE}/servers`)).body.limit).toEqual({ quota: 1, window_seconds: 1 });
      await limitedApi.post('/__sandbox/reset');
      expect((await limitedApi.get('/__sandbox/faults')).body).toEqual({ tokenBucket: { perSecond: 1, burst: 2, shape: 'json' } });
    } finally {
      await limited.close();
    }
  });

  it('fails requests with the gateway 5xx body', async () => {
    await setFaults({ serverErrors: { count: 1, status: 503, method: 'POST' } });
    expect((await api.get(`${ZONE}/servers`)).status).toBe(200);
    const failed = await api.post(`${ZONE}/ips`, {});
    expect(failed).toMatchObject({ status: 503, body: { message: 'internal error' } });
    expect((await api.get(`${ZONE}/ips`)).headers.get('x-total-count')).toBe('0');
  });

  it('adds latency before answering', async () => {
    await setFaults({ latencyMs: 80 });
    const started = Date.now();
    await api.get(`${ZONE}/servers`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('loses the answer of a create, leaving the server created', async () => {
    await setFaults({ dropAfterCommit: { method: 'POST', path: '/instance/v1/zones/*/servers', count: 1 } });
    await expect(api.post(`${ZONE}/servers`, { name: 'orphan', commercial_type: 'DEV1-S', image: 'ubuntu_jammy' })).rejects.toThrow();
    const found = await api.get(`${ZONE}/servers?name=orphan`);
    expect(found.body.servers).toHaveLength(1);
    expect((await api.post(`${ZONE}/servers`, { name: 'second', commercial_type: 'DEV1-S', image: 'ubuntu_jammy' })).status).toBe(201);
  });

  it('resets the state and the faults', async () => {
    await api.post(`${ZONE}/ips`, {});
    await setFaults({ latencyMs: 10 });
    expect((await api.post('/__sandbox/reset')).status).toBe(204);
    expect((await api.get(`${ZONE}/ips`)).body.ips).toEqual([]);
    expect((await api.get('/__sandbox/faults')).body).toEqual({});
    expect((await api.get(`${ZONE}/images?public=true&per_page=1`)).headers.get('x-total-count')).not.toBe('0'); // the catalogue is back
  });

  it('seeds servers through the control endpoint', async () => {
    const reply = await api.post('/__sandbox/seed', { zone: 'pl-waw-1', servers: 3, namePrefix: 'bench', withIp: true });
    expect(reply).toMatchObject({ status: 201, body: { zone: 'pl-waw-1', servers: 3, volumes: 3, ips: 3 } });
    const servers = (await api.get('/instance/v1/zones/pl-waw-1/servers?order=creation_date_asc')).body.servers;
    expect(servers.map((server: { name: string }) => server.name)).toEqual(['bench-1', 'bench-2', 'bench-3']);
    expect(servers[0].public_ips).toHaveLength(1);
    expect((await api.post('/__sandbox/seed', { servers: 0 })).body).toMatchObject({ type: 'invalid_arguments' });
  });
});
