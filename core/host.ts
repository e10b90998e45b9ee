import type { Config } from './config.js';
import { createLogger, type ClosableLogger } from './logger.js';
import { bundledLocations, loadModule, type ModuleLocation } from './modules/loader.js';
import type { LoadedModule } from './registry.js';
import { Runtime, type RuntimeOptions } from './runtime.js';

/** The modules this host runs: the bundled ones (unless MV_BUNDLED_MODULES=none), then those installed from git. */
export function moduleLocations(config: Config): ModuleLocation[] {
  return config.bundledModules === 'all' ? bundledLocations() : [];
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
