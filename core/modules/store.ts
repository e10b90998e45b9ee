import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config.js';
import { MvError } from '../errors.js';
import { readManifest, type ModuleManifest } from '../manifest.js';
import { HOST_ROOT } from '../paths.js';
import { BUNDLED_MODULE_DIRS, bundledLocation, type ModuleLocation } from './loader.js';

/**
 * The installed modules, in the data dir:
 *
 *     <data>/modules/state.json                       which modules are installed (this file is the truth)
 *     <data>/modules/installed/<code>/<version>-<id>/  one folder per installed git module
 *     <data>/modules/.lock                            held while an install, upgrade or uninstall runs
 *     <data>/modules/.staging/<op>/                   clones of the running operation
 */
export interface GitOrigin {
  /** As given (credentials in it are never printed). */
  url: string;
  /** Branch, tag or commit asked for; the remote's default branch when absent. */
  ref?: string;
  /** The commit installed. */
  commit: string;
  /** Where module.json is in the repository; its root when absent. */
  path?: string;
}

export interface InstalledModule {
  code: string;
  version: string;
  source: 'bundled' | 'git';
  /** bundled: relative to the host's root; git: relative to `<data>/modules`. */
  dir: string;
  git?: GitOrigin;
  /** Absent for bundled modules a fresh data dir started with. */
  installedAt?: string;
  /** Installed because this module needed it. */
  dependencyOf?: string;
}

export interface ModuleState {
  format: 1;
  modules: InstalledModule[];
}

export const BUILD_DIR = '.mv-build';

export function modulesRoot(config: Pick<Config, 'dataDir'>): string {
  return path.join(config.dataDir, 'modules');
}

export function stateFile(config: Pick<Config, 'dataDir'>): string {
  return path.join(modulesRoot(config), 'state.json');
}

/** A fresh data dir (no state file) has this checkout's two modules, unless MV_BUNDLED_MODULES=none. */
export function readState(config: Pick<Config, 'dataDir' | 'bundledModules'>): ModuleState {
  const file = stateFile(config);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return { format: 1, modules: config.bundledModules === 'all' ? bundledEntries() : [] };
  }
  let state: ModuleState;
  try {
    state = JSON.parse(text);
  } catch (error) {
    throw new MvError('internal', `${file}: not valid JSON (${(error as Error).message})`);
  }
  if (state?.format !== 1 || !Array.isArray(state.modules)) throw new MvError('internal', `${file}: not a module state file (format 1 with a modules list)`);
  return state;
}

function bundledEntries(): InstalledModule[] {
  return BUNDLED_MODULE_DIRS.map((dir) => {
    const manifest = readManifest(path.join(dir, 'module.json'));
    return { code: manifest.code, version: manifest.currentVersion, source: 'bundled', dir: path.relative(HOST_ROOT, dir) || '.' };
  });
}

export function locationOf(config: Pick<Config, 'dataDir'>, entry: InstalledModule): ModuleLocation {
  if (entry.source === 'bundled') return bundledLocation(path.resolve(HOST_ROOT, entry.dir));
  const dir = path.resolve(modulesRoot(config), entry.dir);
  return { dir, buildDir: path.join(dir, BUILD_DIR), source: 'git' };
}

/** The module.json of an installed module, as it is now in its folder. */
export function installedManifest(config: Pick<Config, 'dataDir'>, entry: InstalledModule): ModuleManifest {
  return readManifest(path.join(locationOf(config, entry).dir, 'module.json'));
}

/** A new state written next to the old one; `commit` swaps it in with one rename. */
export interface PreparedState {
  commit(): void;
  discard(): void;
}

export function prepareState(config: Pick<Config, 'dataDir'>, state: ModuleState): PreparedState {
  const file = stateFile(config);
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(state, null, 2) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return {
    commit: () => fs.renameSync(temp, file),
    discard: () => fs.rmSync(temp, { force: true }),
  };
}

interface LockOwner {
  pid: number;
  host: string;
  operation: string;
  since: string;
}

/**
 * One module operation at a time per data dir, across processes: `.lock` holds its owner. It is written
 * in full under another name and then linked to `.lock` (which fails if one exists), so that `.lock` is
 * never seen empty or half written. A lock left by a dead process on this machine is taken over, and
 * what that process left (staging, folders no state refers to) is cleaned up first.
 */
export function acquireLock(config: Pick<Config, 'dataDir'>, operation: string): () => void {
  const root = modulesRoot(config);
  const file = path.join(root, '.lock');
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), operation, since: new Date().toISOString() };
  fs.mkdirSync(root, { recursive: true });
  const text = JSON.stringify(owner) + '\n';
  const mine = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    fs.writeFileSync(mine, text, { flag: 'wx', mode: 0o600 });
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(mine, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const held = readLock(file);
        if (attempt === 0 && held && held.owner.host === owner.host && !alive(held.owner.pid)) {
          takeOver(file, held.text);
          continue;
        }
        const who = held ? `${held.owner.operation} by process ${held.owner.pid} on ${held.owner.host} since ${held.owner.since}` : 'unreadable lock: remove it if no module operation runs';
        throw new MvError('conflict', `Another module operation is running (${who}); try again when it has finished (lock: ${file})`);
      }
    }
  } finally {
    fs.rmSync(mine, { force: true });
  }
  // Only our own: were it taken from us, `.lock` would be someone else's.
  return () => {
    if (readLock(file)?.text === text) fs.rmSync(file, { force: true });
  };
}

interface HeldLock {
  text: string;
  owner: LockOwner;
}

function readLock(file: string): HeldLock | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return { text, owner: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/**
 * Moves a dead owner's lock out of the way. Another process may have taken it over since it was read:
 * the lock moved is read again and, unless it is still the dead owner's, put back (the next attempt then
 * names its owner).
 */
function takeOver(file: string, deadOwner: string): void {
  const moved = `${file}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(file, moved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    // A link, not a rename: never over a lock yet another process took meanwhile.
    if (readLock(moved)?.text !== deadOwner) fs.linkSync(moved, file);
  } catch {
    // That process holds it: the next attempt says so.
  } finally {
    fs.rmSync(moved, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Leftovers of an operation that died: staging, and installed folders that no state entry refers to. */
export function removeLeftovers(config: Pick<Config, 'dataDir'>, state: ModuleState): void {
  const root = modulesRoot(config);
  fs.rmSync(path.join(root, '.staging'), { recursive: true, force: true });
  for (const name of fs.readdirSync(root)) {
    if (name.startsWith('state.json.') && name.endsWith('.tmp')) fs.rmSync(path.join(root, name), { force: true });
  }
  const used = new Set(state.modules.filter((m) => m.source === 'git').map((m) => path.resolve(root, m.dir)));
  const installed = path.join(root, 'installed');
  if (!fs.existsSync(installed)) return;
  for (const code of fs.readdirSync(installed)) {
    const codeDir = path.join(installed, code);
    for (const version of fs.readdirSync(codeDir)) {
      if (!used.has(path.join(codeDir, version))) fs.rmSync(path.join(codeDir, version), { recursive: true, force: true });
    }
    if (!fs.readdirSync(codeDir).length) fs.rmdirSync(codeDir);
  }
  if (!fs.readdirSync(installed).length) fs.rmdirSync(installed);
}

/** A new folder for an installed module: `installed/<code>/<version>-<id>`, relative to `<data>/modules`. */
export function newInstallDir(code: string, version: string): string {
  return path.join('installed', code, `${version.replace(/[^\w.-]/g, '_')}-${randomBytes(4).toString('hex')}`);
}
