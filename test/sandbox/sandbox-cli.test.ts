import { afterEach, describe, expect, it } from 'vitest';
import { background, freePort, mvctl, type Background } from '../support/mvctl.js';

/** `mvctl sandbox`: the emulators alone, one line per emulator, until interrupted. */
describe('mvctl sandbox', () => {
  const env = { ...process.env, LOG_LEVEL: 'warn' };
  let running: Background | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('prints "<provider> <base URL>" per emulator, serves from the given port, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    running = background(env, 'sandbox', '--port', String(port));
    await running.waitFor(/\n/);
    expect(running.stdout()).toBe(`scaleway http://127.0.0.1:${port}\n`);
    const servers = await fetch(`http://127.0.0.1:${port}/instance/v1/zones/fr-par-1/servers`, { headers: { 'X-Auth-Token': 'any' } });
    expect([servers.status, await servers.json()]).toEqual([200, { servers: [] }]);
    expect(await running.stop()).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/__sandbox/faults`)).rejects.toThrow();
  });

  it('starts only the emulator asked for, on a free port by default', async () => {
    running = background(env, 'sandbox', '--only', 'scaleway', '--transition-ms', '20');
    const [line, url] = await running.waitFor(/^scaleway (http:\/\/127\.0\.0\.1:\d+)\n/);
    expect(running.stdout()).toBe(`${line}`);
    expect((await fetch(`${url}/__sandbox/faults`)).status).toBe(200);
  });

  it('exits 2 on usage errors, naming the emulators there are', async () => {
    const unknown = await mvctl(env, 'sandbox', '--only', 'nimbus');
    expect(unknown).toMatchObject({ code: 2, stdout: '', stderr: 'mvctl: --only: no emulator named "nimbus"; there are scaleway\n' });
    expect((await mvctl(env, 'sandbox', '--port', 'http')).code).toBe(2);
    expect((await mvctl(env, 'sandbox', '--transition-ms', 'soon')).code).toBe(2);
    expect((await mvctl(env, 'sandbox', '--app-port', '3000')).stderr).toContain('--app-port goes with --app');
  });
});
