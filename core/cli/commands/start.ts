import type { Command } from 'commander';
import { ensureFirstAdmin } from '../../auth/users.js';
import type { Config } from '../../config.js';
import { openHost } from '../../host.js';
import type { Runtime } from '../../runtime.js';
import { createApp, listen, parseHosts, type AllowedHosts, type RunningServer } from '../../server.js';
import { config } from '../context.js';
import { UsageError } from '../output.js';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('Apply pending migrations and serve the API (and the back-office) with a job worker')
    .option('-p, --port <port>', 'port to listen on (default: $PORT or 3000)')
    .action(async (options: { port?: string }) => {
      const settings = config();
      const serving = await serve(settings, { port: portOption(options.port, settings.port), hosts: parseHosts(process.env.MV_PUBLIC_HOSTS) });
      await untilStopped();
      await serving.close();
    });
}

/** A `--port` value: 0 (any free port) to 65535; `fallback` when absent. */
export function portOption(value: string | undefined, fallback: number, option = '--port'): number {
  const port = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`${option} must be a port number, got ${value}`);
  return port;
}

export interface ServeOptions {
  port: number;
  /** The interface to listen on. Default: all of them. */
  host?: string;
  /** The host names it answers to (see createApp). Default: any. */
  hosts?: AllowedHosts;
  /** Runs once the database is migrated, before the first admin is created and the server listens. */
  prepare?: (runtime: Runtime) => Promise<void>;
}

export interface Serving {
  runtime: Runtime;
  url: string;
  /** Stops listening; running jobs go back to the queue. */
  close(): Promise<void>;
}

/** What `mvctl start` runs (and `mvctl sandbox --app`): migrations, a job worker, the API and the back-office. */
export async function serve(settings: Config, options: ServeOptions): Promise<Serving> {
  const host = await openHost(settings, { worker: true, console: 'stdout' });
  const { runtime } = host;
  // Imported here, not at the top: the other commands need not load AdminJS.
  const { ADMIN_ROOT, adminMount } = await import('../../../admin/index.js');
  const backOffice = adminMount(runtime);
  let server: RunningServer;
  try {
    await options.prepare?.(runtime);
    await ensureFirstAdmin(runtime.data, { email: settings.adminEmail, password: settings.adminPassword, logger: runtime.logger });
    server = await listen(await createApp(runtime, [backOffice], options.hosts), options.port, options.host);
  } catch (error) {
    // A busy port, a failed seed: nothing must keep the process alive (the worker, the database).
    await backOffice.close();
    await host.close();
    throw error;
  }
  // A library's forgotten promise must not stop the server and every job it runs: log it and go on.
  const unhandled = (reason: unknown) => runtime.logger.error({ err: reason }, 'unhandled promise rejection; the server goes on');
  process.on('unhandledRejection', unhandled);
  const database = settings.databaseUrl ? 'PostgreSQL' : `SQLite (${settings.dataDir})`;
  runtime.logger.info({ url: server.url, database, modules: runtime.registry.modules.map((m) => m.manifest.code) }, 'listening');
  process.stdout.write(`mv-infra listening on ${server.url} (back-office ${server.url}${ADMIN_ROOT}, API ${server.url}/api/v1, database ${database})\n`);
  return {
    runtime,
    url: server.url,
    close: async () => {
      runtime.logger.info('stopping: running jobs go back to the queue');
      process.off('unhandledRejection', unhandled);
      await server.close();
      await backOffice.close();
      await host.close();
    },
  };
}

/** Resolves on the first SIGINT (Ctrl+C) or SIGTERM. */
export function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
