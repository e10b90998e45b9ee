import path from 'node:path';
import type { Command } from 'commander';
import { closeEmulators, EMULATOR_NAMES, isEmulatorName, startEmulators, type EmulatorName, type StartedEmulator } from '../../../sandbox/index.js';
import type { Config } from '../../config.js';
import type { Actor } from '../../roles.js';
import type { Runtime } from '../../runtime.js';
import { config } from '../context.js';
import { UsageError } from '../output.js';
import { portOption, serve, untilStopped, type Serving } from './start.js';

/** Sandbox mode only, on loopback only: a fixed back-office login that the README gives. */
export const SANDBOX_LOGIN = { email: 'sandbox@localhost', password: 'sandbox-password' } as const;

const SEEDER: Actor = { kind: 'system', id: 'sandbox', name: 'sandbox', role: 'admin' };

interface SandboxOptions {
  only?: string;
  port?: string;
  transitionMs?: string;
  app?: boolean;
  appPort?: string;
}

export function registerSandbox(program: Command): void {
  program
    .command('sandbox')
    .description('Start the local cloud emulators (no cloud account) and print "<provider> <base URL>" for each; with --app, also mv-infra wired to them')
    .option('--only <provider>', `start one emulator: ${EMULATOR_NAMES.join(', ')}`)
    .option('-p, --port <port>', 'port of the first emulator, the next ones take the following ports (default: free ports)')
    .option('--transition-ms <ms>', 'how long boots, backups and other transitions take, in ms (default: the emulators’ realistic 1500)')
    .option('--app', `sandbox mode: also serve the API, back-office and job worker on $MV_DATA_DIR/sandbox, with a SANDBOX credential and service provider per emulator, login ${SANDBOX_LOGIN.email}`)
    .option('--app-port <port>', 'port of the API and back-office with --app (default: $PORT or 3000)')
    .action(async (options: SandboxOptions) => {
      const names = emulatorNames(options.only);
      const firstPort = options.port === undefined ? undefined : portOption(options.port, 0);
      const transitionMs = options.transitionMs === undefined ? undefined : Number(options.transitionMs);
      if (transitionMs !== undefined && !(Number.isInteger(transitionMs) && transitionMs >= 0)) {
        throw new UsageError(`--transition-ms must be a number of milliseconds, got ${options.transitionMs}`);
      }
      if (options.appPort !== undefined && !options.app) throw new UsageError('--app-port goes with --app');
      const settings = options.app ? sandboxConfig(config()) : undefined;
      const appPort = settings && portOption(options.appPort, settings.port, '--app-port');
      // A Ctrl+C while things start still closes them.
      const stopped = untilStopped();
      const emulators = await startEmulators({ names, firstPort, transitionMs });
      let app: Serving | undefined;
      try {
        for (const emulator of emulators) process.stdout.write(`${emulator.name} ${emulator.url}\n`);
        if (settings) app = await serveSandbox(settings, appPort!, emulators);
        await stopped;
      } finally {
        await app?.close();
        await closeEmulators(emulators);
      }
    });
}

function emulatorNames(only: string | undefined): EmulatorName[] {
  if (only === undefined) return EMULATOR_NAMES;
  if (!isEmulatorName(only)) throw new UsageError(`--only: no emulator named "${only}"; there are ${EMULATOR_NAMES.join(', ')}`);
  return [only];
}

/**
 * The sandbox's own host: `<MV_DATA_DIR>/sandbox`, always SQLite (never the DATABASE_URL of a real
 * deployment), the bundled modules, the fixed login.
 */
export function sandboxConfig(base: Config): Config {
  return {
    ...base,
    dataDir: path.join(base.dataDir, 'sandbox'),
    databaseUrl: undefined,
    bundledModules: 'all',
    adminEmail: SANDBOX_LOGIN.email,
    adminPassword: SANDBOX_LOGIN.password,
  };
}

/** mv-infra on loopback, its SANDBOX providers pointing at the emulators just started. */
async function serveSandbox(settings: Config, port: number, emulators: StartedEmulator[]): Promise<Serving> {
  let seeded: SeededProvider[] = [];
  const serving = await serve(settings, {
    port,
    host: '127.0.0.1',
    prepare: async (runtime) => {
      seeded = await seedSandbox(runtime, emulators);
    },
  });
  const out = [
    '',
    'SANDBOX mode: no cloud account is used. These service providers point at the local emulators:',
    ...seeded.map((p) => `  ${p.name} (${p.url}, zones ${p.zones.join(', ')})${p.removed ? `: ${p.removed} records of the previous session removed, the emulator starts empty` : ''}`),
    `Back-office: ${serving.url}/admin  login ${SANDBOX_LOGIN.email} / ${SANDBOX_LOGIN.password}`,
    `API token:   MV_DATA_DIR=${settings.dataDir} npm run -s mvctl -- token create --role admin`,
    'Start with "Populate provider fields" on the service provider, then create a server. Ctrl+C stops everything.',
    '',
  ];
  process.stdout.write(out.join('\n'));
  return serving;
}

export interface SeededProvider {
  id: string;
  name: string;
  url: string;
  zones: string[];
  /** Records of this provider left by the previous session, removed. */
  removed: number;
}

/**
 * A SANDBOX credential and service provider per emulator, found by name, created on the first start and
 * pointed at the emulator's new URL on the next ones. The emulators start empty every time, so the
 * resources recorded for these providers last time (servers, volumes, IPs, images, types) are removed;
 * the user's own edits of the two records (zones, prefix, budget) are kept.
 */
export async function seedSandbox(runtime: Runtime, emulators: StartedEmulator[]): Promise<SeededProvider[]> {
  const providerInfo = runtime.entityInfo('ServiceProvider');
  const credentialInfo = runtime.entityInfo('Credential');
  if (!providerInfo || !credentialInfo) throw new Error('Sandbox mode needs the bundled modules mv-credentials and mv-infrastructure');
  const seeded: SeededProvider[] = [];
  for (const emulator of emulators) {
    const { label } = emulator.entry;
    const account = emulator.entry.account(emulator.url);
    const name = `SANDBOX ${label}`;
    const description = `SANDBOX: the local ${label} emulator of \`npm run sandbox\` (${emulator.url}). No cloud account, nothing is billed; the resources recorded for it are removed at each start.`;
    const credentialFields = { ...account.credential, username: `SANDBOX (${label} emulator)` };
    const providers = runtime.data.getRepository(providerInfo.entity);
    const existing = (await providers.findOneBy({ name })) as { id: string; credentialId: string | null } | null;
    let credentialId = existing?.credentialId ?? null;
    if (credentialId) await runtime.entities.update(credentialInfo, credentialId, { domainName: account.credential.domainName }, SEEDER);
    else credentialId = (await runtime.entities.create(credentialInfo, credentialFields, SEEDER)).id;
    const pointing = { apiBaseUrl: account.provider.apiBaseUrl, allowedApiHosts: account.provider.allowedApiHosts, description, credentialId };
    const provider = existing
      ? await runtime.entities.update(providerInfo, existing.id, pointing, SEEDER)
      : await runtime.entities.create(providerInfo, { ...account.provider, ...pointing, name }, SEEDER);
    const removed = existing ? await removeResources(runtime, provider.id) : 0;
    runtime.logger.info({ provider: name, url: emulator.url, removed }, 'sandbox provider ready');
    seeded.push({ id: provider.id, name, url: emulator.url, zones: (provider.zones as string[] | null) ?? [], removed });
  }
  return seeded;
}

/** Deletes every record that belongs to the provider (their references to each other cascade or are cleared). */
async function removeResources(runtime: Runtime, serviceProviderId: string): Promise<number> {
  const owned = runtime.registry.entities().filter((info) => info.fields.some((field) => field.name === 'serviceProviderId'));
  return runtime.data.transaction(async (manager) => {
    let removed = 0;
    for (const info of owned) removed += (await manager.getRepository(info.entity).delete({ serviceProviderId })).affected ?? 0;
    return removed;
  });
}
