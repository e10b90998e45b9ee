import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MvError } from '../errors.js';
import { readManifest } from '../manifest.js';
import type { ModuleDefinition } from '../module.js';
import { FROM_SOURCE, HOST_BUILD, HOST_ROOT } from '../paths.js';
import type { LoadedModule } from '../registry.js';

/** The two modules shipped in this checkout: mv-credentials (credentials/) and mv-infrastructure (the root). */
export const BUNDLED_MODULE_DIRS = [path.join(HOST_ROOT, 'credentials'), HOST_ROOT];

export interface ModuleLocation {
  /** Where module.json is. */
  dir: string;
  /** Where the compiled JavaScript mirrors `dir` (entry `module.ts` → `<buildDir>/module.js`). */
  buildDir: string;
  source: LoadedModule['source'];
}

export function bundledLocations(): ModuleLocation[] {
  return BUNDLED_MODULE_DIRS.map(bundledLocation);
}

export function bundledLocation(dir: string): ModuleLocation {
  return { dir, buildDir: path.join(HOST_BUILD, path.relative(HOST_ROOT, dir)), source: 'bundled' };
}

/** Reads and validates the manifest, then imports the entry point and checks what it exports. */
export async function loadModule(location: ModuleLocation): Promise<LoadedModule> {
  const manifest = readManifest(path.join(location.dir, 'module.json'));
  const { value, file } = await importModuleFile(location, manifest.code, manifest.entryPoint, 'entryPoint');
  return { manifest, definition: checkDefinition(value, manifest.code, file), dir: location.dir, source: location.source };
}

/** Imports a file of a module (its entry point, a hook) and returns its default export. */
export async function importModuleFile(location: ModuleLocation, code: string, file: string, what: string): Promise<{ value: unknown; file: string }> {
  const runnable = runnableFile(location, file);
  if (!fs.existsSync(runnable)) {
    throw new MvError('invalid_request', `${path.join(location.dir, 'module.json')}: ${what} ${file} has no ${FROM_SOURCE && location.source === 'bundled' ? 'source' : 'runnable'} file at ${runnable}`);
  }
  try {
    return { value: ((await import(pathToFileURL(runnable).href)) as { default?: unknown }).default, file: runnable };
  } catch (error) {
    throw new MvError('invalid_request', `${code}: cannot load ${runnable}: ${(error as Error).message}`, undefined, { cause: error });
  }
}

/** Where a module file (entry point or hook) runs from: `.ts` compiled into the build dir, `.js`/`.mjs` as shipped. */
export function runnableFile(location: ModuleLocation, file: string): string {
  // Tests run the TypeScript sources of bundled modules; everything else runs compiled JavaScript.
  if (FROM_SOURCE && location.source === 'bundled') return path.join(location.dir, file);
  if (/\.m?js$/.test(file)) return path.join(location.dir, file);
  return path.join(location.buildDir, file.replace(/\.ts$/, '.js'));
}

function checkDefinition(value: unknown, code: string, entry: string): ModuleDefinition {
  const definition = value as Partial<ModuleDefinition> | undefined;
  const problems: string[] = [];
  if (!definition || typeof definition !== 'object') problems.push('no default export (export default defineModule({...}))');
  else {
    if (!Array.isArray(definition.entities)) problems.push('entities must be a list of entity classes');
    else if (definition.entities.some((e) => typeof e !== 'function')) problems.push('entities must be classes');
    if (!Array.isArray(definition.actions)) problems.push('actions must be a list of actions');
    if (!definition.migrations || !Array.isArray(definition.migrations.sqlite) || !Array.isArray(definition.migrations.postgres)) {
      problems.push('migrations must be { sqlite: [...], postgres: [...] }');
    }
  }
  if (problems.length) throw new MvError('invalid_request', `${code}: ${entry}: ${problems.join('; ')}`);
  return definition as ModuleDefinition;
}
