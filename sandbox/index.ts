/**
 * The cloud emulators the sandbox starts (`mvctl sandbox`, `npm run sandbox`), by provider name.
 * Adding one is one line in `EMULATORS`: how to start it, and the credential and service provider that
 * point mv-infra at it in sandbox mode.
 */
import type { RunningEmulator } from './emulator.js';
import { startScalewayEmulator } from './scaleway/index.js';
import { DEFAULT_PROJECT_ID } from './scaleway/catalogue.js';

export interface EmulatorStartOptions {
  /** Default: a free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Duration of timed transitions (boot, backup, volume creation), ms. Default: the emulator's own, realistic. */
  transitionMs?: number;
}

/** What mv-infra needs to use an emulator: API fields of a Credential and of a ServiceProvider. */
export interface SandboxAccount {
  /** Credential fields (mv-credentials), secrets included. */
  credential: Record<string, unknown>;
  /** ServiceProvider fields; the sandbox adds name, description and credentialId. */
  provider: Record<string, unknown> & { code: string; apiBaseUrl: string };
}

export interface EmulatorEntry {
  /** The name users see at the provider: `Scaleway`. */
  label: string;
  start(options: EmulatorStartOptions): Promise<RunningEmulator>;
  /** The account that reaches the emulator listening at `url` (any API key is accepted). */
  account(url: string): SandboxAccount;
}

const scaleway: EmulatorEntry = {
  label: 'Scaleway',
  start: (options) => startScalewayEmulator(options),
  account: (url) => ({
    credential: { domainName: new URL(url).host, authenticationType: 'API_KEY', headerKey: 'X-Auth-Token', apiKey: 'SANDBOX-any-key-works' },
    provider: {
      code: 'SCALEWAY',
      apiBaseUrl: url,
      allowedApiHosts: [new URL(url).hostname],
      zones: ['fr-par-1', 'nl-ams-1'],
      defaultProject: DEFAULT_PROJECT_ID,
      // Everything in the sandbox account is the user's own: sync imports every server, whatever its name.
      importNamePrefix: '',
    },
  }),
};

export const EMULATORS = { scaleway } satisfies Record<string, EmulatorEntry>;

export type EmulatorName = keyof typeof EMULATORS;

export const EMULATOR_NAMES = Object.keys(EMULATORS) as EmulatorName[];

export function isEmulatorName(name: string): name is EmulatorName {
  return Object.hasOwn(EMULATORS, name);
}

export interface StartedEmulator extends RunningEmulator {
  name: EmulatorName;
  entry: EmulatorEntry;
}

/**
 * Starts the named emulators, in `EMULATOR_NAMES` order: with a first port, on consecutive ports from it;
 * otherwise each on a free port. If one cannot start, those already started are closed.
 */
export async function startEmulators(options: { names?: EmulatorName[]; firstPort?: number; host?: string; transitionMs?: number } = {}): Promise<StartedEmulator[]> {
  const started: StartedEmulator[] = [];
  try {
    for (const [index, name] of (options.names ?? EMULATOR_NAMES).entries()) {
      const entry: EmulatorEntry = EMULATORS[name];
      const port = options.firstPort ? options.firstPort + index : undefined;
      started.push({ ...(await entry.start({ port, host: options.host, transitionMs: options.transitionMs })), name, entry });
    }
    return started;
  } catch (error) {
    await closeEmulators(started);
    throw error;
  }
}

export async function closeEmulators(emulators: RunningEmulator[]): Promise<void> {
  await Promise.all(emulators.map((emulator) => emulator.close()));
}
