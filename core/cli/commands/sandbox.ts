import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { closeEmulators, EMULATOR_NAMES, isEmulatorName, startEmulators, type EmulatorName, type StartedEmulator } from '../../../sandbox/index.js';
import { User } from '../../auth/user.entity.js';
import { createUser, generatePassword, hashPassword, verifyPassword } from '../../auth/users.js';
import type { Config } from '../../config.js';
import type { Actor } from '../../roles.js';
import type { Runtime } from '../../runtime.js';
import { config } from '../context.js';
import { UsageError } from '../output.js';
import { portOption, serve, untilStopped, type Serving } from './start.js';

/**
 * Sandbox mode only, on loopback only: the back-office login. Its password is generated at the first
 * start and kept in the sandbox's data dir (a fixed one, printed in the README, would let any local
 * program or web page sign in), and printed at each start.
 */
export const SANDBOX_EMAIL = 'sandbox@localhost';
export const SANDBOX_PASSWORD_FILE = 'sandbox-password';

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
    .option('--app', `sandbox mode: also serve the API, back-office and job worker on $MV_DATA_DIR/sandbox, with a SANDBOX credential and service provider per emulator, login ${SANDBOX_EMAIL}`)
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
 * deployment), the bundled modules, the sandbox login.
 */
export function sandboxConfig(base: Config): Config {
  const dataDir = path.join(base.dataDir, 'sandbox');
  return { ...base, dataDir, databaseUrl: undefined, bundledModules: 'all', adminEmail: SANDBOX_EMAIL, adminPassword: sandboxPassword(dataDir) };
}

/** The sandbox login's password: `<sandbox data dir>/sandbox-password`, generated (mode 0600) when missing. */
export function sandboxPassword(dataDir: string): string {
  const file = path.join(dataDir, SANDBOX_PASSWORD_FILE);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const password = generatePassword();
  fs.writeFileSync(file, password + '\n', { mode: 0o600, flag: 'wx' });
  return password;
}

/** The printed login works: the sandbox user exists and has the file's password (a data dir of before it had a fixed one). */
async function ensureSandboxLogin(runtime: Runtime, password: string): Promise<void> {
  const users = runtime.data.getRepository(User);
  const user = await users.findOneBy({ email: SANDBOX_EMAIL });
  if (!user) await createUser(runtime.data, { email: SANDBOX_EMAIL, role: 'admin', name: 'Sandbox', password });
  else if (!(await verifyPassword(user.passwordHash, password))) await users.update({ id: user.id }, { passwordHash: await hashPassword(password) });
}

/** mv-infra on loopback, its SANDBOX providers pointing at the emulators just started. */
async function serveSandbox(settings: Config, port: number, emulators: StartedEmulator[]): Promise<Serving> {
  let seeded: SeededProvider[] = [];
  const serving = await serve(settings, {
    port,
    host: '127.0.0.1',
    hosts: 'loopback',
    prepare: async (runtime) => {
      await ensureSandboxLogin(runtime, settings.adminPassword!);
      seeded = await seedSandbox(runtime, emulators);
    },
  });
  const out = [
    '',
    'SANDBOX mode: no cloud account is used. These service providers point at the local emulators:',
    ...seeded.map((p) => `  ${p.name} (${p.url}, zones ${p.zones.join(', ')})${p.removed ? `: ${p.removed} records of the previous session removed, the emulator starts empty` : ''}`),
    `Back-office: ${serving.url}/admin  login ${SANDBOX_EMAIL} / ${settings.adminPassword} (kept in ${path.join(settings.dataDir, SANDBOX_PASSWORD_FILE)})`,
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
 * A SANDBOX service provider per emulator, found by its name, and its credential (the provider's
 * credentialId), created on the first start. At each start the provider's API URL, allowed hosts,
 * description and credential, and the credential's domain, are set again to reach the emulator's new
 * URL; the user's other edits of the two records (zones, prefix, budget) are kept. The emulators start
 * empty every time, so the resources recorded for these providers last time (servers, volumes, IPs,
 * images, types) are removed.
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
