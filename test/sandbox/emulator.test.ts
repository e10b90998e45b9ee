import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEmulatorApp, startEmulator } from '../../sandbox/emulator.js';
import type { FaultPlan } from '../../sandbox/faults.js';
import { client, type Client } from './http.js';

/** A toy provider on the shared base: a list of things, JSON 429s and 5xx that say what they got. */
async function startToy(initial?: FaultPlan) {
  const things: string[] = [];
  let resets = 0;
  const { app, faults } = createEmulatorApp({
    responses: {
      tooManyRequests: (res, info) => res.status(429).json(info),
      serverError: (res, status) => res.status(status).json({ failed: status }),
    },
    reset: () => {
      resets++;
      things.length = 0;
    },
    faults: initial,
  });
  app.use(express.json());
  app.post('/things', (req, res) => {
    if (!req.body.name) return res.status(400).json({ error: 'name' });
    things.push(req.body.name);
    res.status(201).json({ name: req.body.name });
  });
  app.get('/things', (_req, res) => res.json(things));
  const running = await startEmulator({ name: 'toy', app });
  return { running, faults, things, resets: () => resets };
}

describe('shared emulator base', () => {
  let toy: Awaited<ReturnType<typeof startToy>>;
  let api: Client;
  const setFaults = (plan: unknown) => api.post('/__sandbox/faults', plan);

  beforeEach(async () => {
    toy = await startToy();
    api = client(toy.running.url);
  });
  afterEach(() => toy.running.close());

  it('listens on an ephemeral loopback port', () => {
    expect(toy.running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(toy.running.port).toBeGreaterThan(0);
  });

  it('answers a burst of 429 on matching requests only, then recovers', async () => {
    await setFaults({ rateLimit: { count: 2, shape: 'bare', method: 'GET', path: '/thi*' } });
    expect((await api.post('/things', { name: 'a' })).status).toBe(201);
    const first = await api.get('/things');
    expect(first).toMatchObject({ status: 429, body: { shape: 'bare', resetSeconds: 1 } });
    expect((await api.get('/things')).status).toBe(429);
    expect((await api.get('/things')).status).toBe(200);
    expect((await api.get('/__sandbox/faults')).body).toEqual({});
  });

  it('fails the next requests with the requested 5xx', async () => {
    await setFaults({ serverErrors: { count: 1, status: 502 } });
    expect(await api.get('/things')).toMatchObject({ status: 502, body: { failed: 502 } });
    expect((await api.get('/things')).status).toBe(200);
  });

  it('delays every answer', async () => {
    await setFaults({ latencyMs: { min: 60, max: 80 } });
    const start = Date.now();
    await api.get('/things');
    expect(Date.now() - start).toBeGreaterThanOrEqual(55);
  });

  it('drops the answer of a request it lets succeed, keeping what the request did', async () => {
    await setFaults({ dropAfterCommit: { method: 'POST', path: '/things' } });
    expect((await api.post('/things', {})).status).toBe(400); // a failure does not use the fault up
    await expect(api.post('/things', { name: 'lost' })).rejects.toThrow();
    expect((await api.get('/things')).body).toEqual(['lost']);
    expect((await api.post('/things', { name: 'kept' })).status).toBe(201);
  });

  it('limits the steady rate with a token bucket', async () => {
    await setFaults({ tokenBucket: { perSecond: 1, burst: 3, shape: 'json' } });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await api.get('/things')).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect((await api.get('/things')).body).toMatchObject({ shape: 'json', quotaPerSecond: 1, resetSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await api.get('/things')).status).toBe(200);
  });

  it('refuses an invalid fault plan with a readable message', async () => {
    expect(await setFaults({ rateLimit: { count: 0 } })).toMatchObject({ status: 400, body: { error: 'rateLimit.count must be a positive integer' } });
    expect((await setFaults({ serverErrors: { count: 1, status: 404 } })).status).toBe(400);
    expect((await setFaults({ lag: 1 })).body.error).toMatch(/unknown key/);
  });

  it('keeps faults it is not told about, and clears them all on DELETE', async () => {
    await setFaults({ latencyMs: 5 });
    expect((await setFaults({ rateLimit: { count: 1 } })).body).toMatchObject({ latencyMs: 5, rateLimit: { count: 1 } });
    expect((await api.delete('/__sandbox/faults')).status).toBe(204);
    expect((await api.get('/__sandbox/faults')).body).toEqual({});
  });

  it('resets the state and the faults to what the emulator started with', async () => {
    await toy.running.close();
    toy = await startToy({ latencyMs: 1 });
    api = client(toy.running.url);
    await api.post('/things', { name: 'a' });
    await setFaults({ serverErrors: { count: 5 } });
    expect((await api.post('/__sandbox/reset')).status).toBe(204);
    expect(toy.resets()).toBe(1);
    expect((await api.get('/things')).body).toEqual([]);
    expect((await api.get('/__sandbox/faults')).body).toEqual({ latencyMs: 1 });
  });

  it('closes even with keep-alive connections open', async () => {
    await api.get('/things');
    await toy.running.close();
    await expect(fetch(`${toy.running.url}/things`)).rejects.toThrow();
  });
});
