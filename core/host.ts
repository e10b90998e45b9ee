import type { Config } from './config.js';
import { createLogger, type ClosableLogger } from './logger.js';
import { loadModule, type ModuleLocation } from './modules/loader.js';
import { locationOf, readState } from './modules/store.js';
import type { LoadedModule } from './registry.js';
import { Runtime, type RuntimeOptions } from './runtime.js';

/**
 * The modules this host runs: those the data dir's state file lists. A fresh data dir (no state file)
 * has the two bundled ones, or none with MV_BUNDLED_MODULES=none. Changes apply at the next start.
 */
export function moduleLocations(config: Config): ModuleLocation[] {
  return readState(config).modules.map((entry) => locationOf(config, entry));
}

export async function loadInstalledModules(config: Config): Promise<LoadedModule[]> {
  const loaded: LoadedModule[] = [];
  for (const location of moduleLocations(config)) loaded.push(await loadModule(location));
  return loaded;
}

export interface Host {
  runtime: Runtime;
  log: ClosableLogger;
  close(): Promise<void>;
}

/** Logger, modules and runtime from the configuration: what `mvctl start` and the other commands open. */
export async function openHost(
  config: Config,
  options: Omit<RuntimeOptions, 'config' | 'logger' | 'modules'> & { console?: 'stdout' | 'stderr' | 'none' } = {},
): Promise<Host> {
  const log = await createLogger({ level: config.logLevel, dataDir: config.dataDir, console: options.console ?? 'stderr' });
  try {
    const runtime = await Runtime.start({ ...options, config, logger: log.logger, modules: await loadInstalledModules(config) });
    return {
      runtime,
      log,
      close: async () => {
        await runtime.close();
        await log.close();
      },
    };
  } catch (error) {
    await log.close();
    throw error;
  }
}
