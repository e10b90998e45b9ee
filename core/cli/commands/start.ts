import type { Command } from 'commander';
import { ensureFirstAdmin } from '../../auth/users.js';
import { openHost } from '../../host.js';
import { createApp, listen, type Mount } from '../../server.js';
import { config } from '../context.js';
import { UsageError } from '../output.js';

/** Mounts added by other parts of the host (the back-office), registered before the CLI parses. */
export const extraMounts: Mount[] = [];

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('Apply pending migrations and serve the API (and the back-office) with a job worker')
    .option('-p, --port <port>', 'port to listen on (default: $PORT or 3000)')
    .action(async (options: { port?: string }) => {
      const settings = config();
      const port = options.port === undefined ? settings.port : Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got ${options.port}`);
      const host = await openHost(settings, { worker: true, console: 'stdout' });
      const { runtime } = host;
      await ensureFirstAdmin(runtime.data, { email: settings.adminEmail, password: settings.adminPassword, logger: runtime.logger });
      const server = await listen(await createApp(runtime, extraMounts), port);
      const database = settings.databaseUrl ? 'PostgreSQL' : `SQLite (${settings.dataDir})`;
      runtime.logger.info({ url: server.url, database, modules: runtime.registry.modules.map((m) => m.manifest.code) }, 'listening');
      process.stdout.write(`mv-infra listening on ${server.url} (API ${server.url}/api/v1, database ${database})\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      runtime.logger.info('stopping: running jobs go back to the queue');
      await server.close();
      await host.close();
    });
}
