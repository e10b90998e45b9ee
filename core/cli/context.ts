import os from 'node:os';
import { loadConfig, type Config } from '../config.js';
import { openHost, type Host } from '../host.js';
import type { Actor } from '../roles.js';
import type { RuntimeOptions } from '../runtime.js';

/** Whoever runs mvctl on the host has the database and the key file: they act as admin. */
export function cliActor(): Actor {
  const user = os.userInfo().username;
  return { kind: 'cli', id: user, name: `cli:${user}`, role: 'admin' };
}

export function config(): Config {
  return loadConfig();
}

/** Opens the host for one command and closes it afterwards, whatever happens. */
export async function withHost<T>(options: Omit<RuntimeOptions, 'config' | 'logger' | 'modules'>, run: (host: Host) => Promise<T>): Promise<T> {
  const host = await openHost(config(), { ...options, console: 'stderr' });
  try {
    return await run(host);
  } finally {
    await host.close();
  }
}
