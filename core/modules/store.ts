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
 * One module operation at a time per data dir, across processes: `.lock` is created exclusively and
 * holds its owner. A lock left by a dead process on this machine is taken over, and what that process
 * left (staging, folders no state refers to) is cleaned up first.
 */
export function acquireLock(config: Pick<Config, 'dataDir'>, operation: string): () => void {
  const root = modulesRoot(config);
  const file = path.join(root, '.lock');
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), operation, since: new Date().toISOString() };
  fs.mkdirSync(root, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(owner) + '\n', { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = lockHolder(file);
      if (attempt === 0 && holder && holder.host === owner.host && !alive(holder.pid)) {
        fs.rmSync(file, { force: true });
        continue;
      }
      const who = holder ? `${holder.operation} by process ${holder.pid} on ${holder.host} since ${holder.since}` : 'unknown owner';
      throw new MvError('conflict', `Another module operation is running (${who}); try again when it has finished (lock: ${file})`);
    }
  }
  return () => fs.rmSync(file, { force: true });
}

function lockHolder(file: string): LockOwner | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
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
