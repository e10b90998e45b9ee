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
  return BUNDLED_MODULE_DIRS.map((dir) => ({ dir, buildDir: path.join(HOST_BUILD, path.relative(HOST_ROOT, dir)), source: 'bundled' as const }));
}

/** Reads and validates the manifest, then imports the entry point and checks what it exports. */
export async function loadModule(location: ModuleLocation): Promise<LoadedModule> {
  const manifestFile = path.join(location.dir, 'module.json');
  const manifest = readManifest(manifestFile);
  const entry = entryFile(location, manifest.entryPoint);
  if (!fs.existsSync(entry)) {
    throw new MvError('invalid_request', `${manifestFile}: entryPoint ${manifest.entryPoint} has no ${FROM_SOURCE ? 'source' : 'compiled'} file at ${entry}`);
  }
  let exported: { default?: unknown };
  try {
    exported = await import(pathToFileURL(entry).href);
  } catch (error) {
    throw new MvError('invalid_request', `${manifest.code}: cannot load ${entry}: ${(error as Error).message}`, undefined, { cause: error });
  }
  return { manifest, definition: checkDefinition(exported.default, manifest.code, entry), dir: location.dir, source: location.source };
}

function entryFile(location: ModuleLocation, entryPoint: string): string {
  // Tests run the TypeScript sources of bundled modules; everything else runs compiled JavaScript.
  if (FROM_SOURCE && location.source === 'bundled') return path.join(location.dir, entryPoint);
  return path.join(location.buildDir, entryPoint.replace(/\.ts$/, '.js'));
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
