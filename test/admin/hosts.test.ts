import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../core/runtime.js';
import { createApp, listen, parseHosts, type AllowedHosts, type RunningServer } from '../../core/server.js';
import { rawRequest } from '../support/raw-http.js';
import { startRuntime, testDatabase, type TestDatabase } from '../support/runtime.js';

/** The Host allow-list of createApp: what stops a page of another site reaching the server through DNS rebinding. */
describe('host names the server answers to', () => {
  let db: TestDatabase;
  let runtime: Runtime;
  const servers: RunningServer[] = [];
  beforeAll(async () => {
    db = await testDatabase('sqlite');
    runtime = await startRuntime(db, { modules: [] });
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await runtime.close();
    await db.drop();
  });

  /** The status of a request for a route that does not exist (404 once past the host check) under each Host. */
  const statuses = async (hosts: AllowedHosts | undefined, names: (port: number) => string[]) => {
    const server = await listen(await createApp(runtime, [], hosts), 0, '127.0.0.1');
    servers.push(server);
    return Promise.all(names(server.port).map(async (host) => (await rawRequest(`${server.url}/nothing-here`, { headers: { host } })).status));
  };

  it('answers any name when none is configured (MV_PUBLIC_HOSTS unset)', async () => {
    expect(await statuses(undefined, (port) => [`evil.example:${port}`, `127.0.0.1:${port}`])).toEqual([404, 404]);
  });

  it('answers only the configured names, at any port unless one is given', async () => {
    const result = await statuses(parseHosts(' MV.example.com , admin.example.com:8443,'), (port) => [
      'mv.example.com',
      `mv.example.com:${port}`,
      'admin.example.com:8443',
      'admin.example.com',
      `evil.example:${port}`,
      `127.0.0.1:${port}`,
    ]);
    expect(result).toEqual([404, 404, 404, 403, 403, 403]);
    expect(() => parseHosts('https://mv.example.com')).toThrow(/MV_PUBLIC_HOSTS takes host names or host:port/);
  });

  it('in sandbox mode, answers 127.0.0.1, localhost and [::1] at its own port only', async () => {
    const result = await statuses('loopback', (port) => [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`, `localhost:${port + 1}`, 'localhost', `evil.example:${port}`]);
    expect(result).toEqual([404, 404, 404, 404, 403, 403, 403]);
  });
});
