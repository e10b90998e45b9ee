import path from 'node:path';
import { readManifest } from '../../core/manifest.js';
import { HOST_ROOT } from '../../core/paths.js';
import type { LoadedModule } from '../../core/registry.js';
import widgets from '../fixtures/modules/widgets/module.js';
import { bundledModules } from './runtime.js';

// The manifest stays in the source tree, also when this runs compiled from dist/.
const dir = path.join(HOST_ROOT, 'test/fixtures/modules/widgets');

/** The bundled modules plus the test module of widgets. */
export async function modulesWithWidgets(): Promise<LoadedModule[]> {
  return [...(await bundledModules()), { manifest: readManifest(path.join(dir, 'module.json')), definition: widgets, dir, source: 'bundled' }];
}
