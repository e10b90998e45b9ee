import './support/env.js';
import { afterAll, describe, expect, it } from 'vitest';
import { adminMount } from '../../admin/index.js';
import { createUser } from '../../core/auth/users.js';
import type { Config } from '../../core/config.js';
import { createApp, listen, parseHosts } from '../../core/server.js';
import { startRuntime, testDatabase } from '../support/runtime.js';
import { AdminClient, PASSWORD } from './support/harness.js';

/**
 * Behind a TLS proxy on another host (MV_TRUST_PROXY): the proxy's X-Forwarded-Proto and -Host are
 * believed from the addresses it names, and only from those. The test client is on 127.0.0.1, and plays
 * the proxy.
 */
describe('behind a reverse proxy', () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  /** The back-office trusting `trustProxy`, by default answering only to ops.example.com (MV_PUBLIC_HOSTS), with one admin. */
  const serve = async (trustProxy: Config['trustProxy'], hosts = parseHosts('ops.example.com')) => {
    const db = await testDatabase('sqlite');
    const runtime = await startRuntime(db, { config: { trustProxy } });
    await createUser(runtime.data, { email: 'admin@test.local', role: 'admin', password: PASSWORD });
    const mount = adminMount(runtime);
    const server = await listen(await createApp(runtime, [mount], hosts), 0, '127.0.0.1');
    closers.push(() => db.drop(), () => runtime.close(), () => mount.close(), () => server.close());
    return new AdminClient(server.url);
  };

  /** A sign-in as the proxy forwards it: the browser was at https://ops.example.com. */
  const forwardedLogin = (client: AdminClient) =>
    client.request('POST', '/admin/login', {
      form: { email: 'admin@test.local', password: PASSWORD },
      origin: 'https://ops.example.com',
      headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'ops.example.com', 'x-forwarded-for': '203.0.113.7' },
    });

  it('from a trusted proxy: the Secure cookie, the forwarded host for the host and same-origin checks', async () => {
    const client = await serve('127.0.0.1/32');
    const reply = await forwardedLogin(client);
    expect([reply.status, reply.headers.get('location')]).toEqual([302, '/admin']);
    expect(client.lastSetCookie.find((c) => c.startsWith('mv_admin='))).toMatch(/; Secure/i);
    const page = await client.get('/admin', { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'ops.example.com' } });
    expect(page.status).toBe(200);
  });

  it('from any other address: the forwarded headers are ignored', async () => {
    const client = await serve('10.0.0.0/8');
    // The Host (127.0.0.1:port) is not ops.example.com: refused before anything else.
    const reply = await forwardedLogin(client);
    expect(reply.status).toBe(403);
    expect(client.cookie).toBeUndefined();
  });

  it('from any other address, with any host allowed: the same-origin check compares the Host, and the cookie is not Secure', async () => {
    const spoofing = await serve('10.0.0.0/8', []);
    const spoofed = await forwardedLogin(spoofing);
    expect(spoofed.status).toBe(403);
    expect(spoofed.json.error.message).toMatch(/Cross-site request refused/);
    const client = new AdminClient(spoofing.base);
    const reply = await client.request('POST', '/admin/login', { form: { email: 'admin@test.local', password: PASSWORD }, headers: { 'x-forwarded-proto': 'https' } });
    expect(reply.status).toBe(302);
    expect(client.lastSetCookie.find((c) => c.startsWith('mv_admin='))).not.toMatch(/; Secure/i);
  });
});
