import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Running the TypeScript sources (tests) rather than the compiled `dist/` (start, CLI). */
export const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The checkout (or installed package) the host runs from: where package.json is. */
export const HOST_ROOT = findUp(here);

/** Where the compiled JavaScript of the host's own files is. */
export const HOST_BUILD = path.join(HOST_ROOT, 'dist');

function findUp(dir: string): string {
  for (let current = dir; ; current = path.dirname(current)) {
    const manifest = path.join(current, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'mv-infra') return current;
    if (path.dirname(current) === current) throw new Error(`Cannot find the mv-infra package above ${dir}`);
  }
}
