import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import type { DataSource, QueryRunner } from 'typeorm';
import type { EntityClass } from '../action.js';
import type { Config } from '../config.js';
import { dialectOf, openDataSource } from '../db/data-source.js';
import { inMigrationTransaction, revertModuleMigrations, runMigrations } from '../db/migrate.js';
import { isMvError, MvError } from '../errors.js';
import type { Logger } from '../logger.js';
import { readManifest, type ModuleDependency, type ModuleManifest } from '../manifest.js';
import { Registry, type LoadedModule } from '../registry.js';
import { CORE_ENTITIES, migrationSets } from '../runtime.js';
import { SecretBox } from '../secrets.js';
import { buildModule } from './build.js';
import { checkGitUrl, checkout, checkRef, redact, resolveRelativeUrl } from './git.js';
import { loadHooks, type HookName, type ModuleHook } from './hooks.js';
import { loadModule, type ModuleLocation } from './loader.js';
import {
  acquireLock,
  BUILD_DIR,
  installedManifest,
  locationOf,
  modulesRoot,
  newInstallDir,
  prepareState,
  readState,
  removeLeftovers,
  type GitOrigin,
  type InstalledModule,
  type ModuleState,
  type PreparedState,
} from './store.js';

export const ON_CONFLICT = ['fail', 'skip', 'overwrite'] as const;
export type OnConflict = (typeof ON_CONFLICT)[number];

export interface InstallRequest {
  /** https://, ssh://, user@host:path, file:// or a local path. */
  url: string;
  /** Branch, tag or commit; the default branch when absent. */
  ref?: string;
  /** Where module.json is in the repository, when not at its root. */
  path?: string;
  /** When a module of the same code is installed: refuse (default), keep it, or replace it. */
  onConflict?: OnConflict;
  /**
   * Where to get a missing dependency instead of its gitUrl: code → `<url>[#<ref>][:<path>]` (Docker's git
   * context: `url`, `url#ref`, `url#:path`, `url#ref:path`); a plain URL is the repository's root at its
   * default branch.
   */
  dependencyUrls?: Record<string, string>;
}

export interface ModuleChange {
  code: string;
  action: 'installed' | 'upgraded' | 'reinstalled' | 'skipped' | 'uninstalled';
  version: string;
  previousVersion?: string;
  /** Installed because this module needs it. */
  dependencyOf?: string;
  git?: GitOrigin;
  /** Uninstall: whether its tables were dropped. */
  purged?: boolean;
}

export interface ModuleOperationResult {
  changes: ModuleChange[];
  /** A running server keeps the modules it started with: restart it to use the new set. */
  restartRequired: boolean;
}

/** An installed module as the Modules page and `GET /modules/installed` show it. */
export interface InstalledModuleView {
  code: string;
  version: string;
  description?: string;
  source: 'bundled' | 'git';
  git?: GitOrigin;
  installedAt?: string;
  dependencyOf?: string;
  dependencies: { code: string; version: string }[];
  /** Installed modules that need this one: it cannot be uninstalled before them. */
  dependents: string[];
  /** Set when its module.json cannot be read. */
  problem?: string;
}

/** What the Modules page and `GET /modules/installed` show. */
export interface InstalledModules {
  modules: InstalledModuleView[];
  /** Whether a running server runs another set (other modules, versions or install folders): restart it. */
  restartRequired: boolean;
}

export interface ModuleServiceOptions {
  config: Config;
  logger: Logger;
  /** PostgreSQL schema of the host's tables, when not the default one. */
  schema?: string;
}

/** Request bodies (API) and options (CLI) as the service takes them; refuses anything else. */
export function parseInstallRequest(raw: unknown): InstallRequest {
  const body = (raw ?? {}) as Record<string, unknown>;
  if (typeof body !== 'object' || Array.isArray(body)) throw new MvError('invalid_request', 'Send {"url": "<git URL>", "ref"?, "path"?, "onConflict"?, "dependencyUrls"?}');
  const unknown = Object.keys(body).filter((key) => !['url', 'ref', 'path', 'onConflict', 'dependencyUrls'].includes(key));
  if (unknown.length) throw new MvError('invalid_request', `Unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: send url, ref, path, onConflict and dependencyUrls`);
  const onConflict = body.onConflict ?? 'fail';
  if (!ON_CONFLICT.includes(onConflict as OnConflict)) throw new MvError('invalid_request', `onConflict must be one of ${ON_CONFLICT.join(', ')}, got ${JSON.stringify(onConflict)}`);
  const urls = body.dependencyUrls ?? {};
  if (typeof urls !== 'object' || urls === null || Array.isArray(urls) || Object.values(urls).some((v) => typeof v !== 'string')) {
    throw new MvError('invalid_request', 'dependencyUrls must map module codes to git URLs, e.g. {"mv-credentials": "https://..."}');
  }
  if (body.path !== undefined && typeof body.path !== 'string') throw new MvError('invalid_request', 'path must be a directory of the repository');
  return {
    url: checkGitUrl(body.url),
    ref: checkRef(body.ref),
    path: checkRepoPath(body.path),
    onConflict: onConflict as OnConflict,
    dependencyUrls: Object.fromEntries(Object.entries(urls as Record<string, string>).map(([code, url]) => [code, formatGitSource(parseGitSource(url, `URL of dependency ${code}`))])),
  };
}

export interface GitSource {
  url: string;
  ref?: string;
  path?: string;
}

/**
 * `<url>#<ref>:<path>`, Docker's git context (`url`, `url#ref`, `url#:path`, `url#ref:path`), each part
 * checked as --ref and --path are. A ref cannot hold ":", so the first one after "#" ends it.
 */
export function parseGitSource(raw: string, what: string): GitSource {
  const hash = raw.indexOf('#');
  if (hash < 0) return { url: checkGitUrl(raw, what) };
  const fragment = raw.slice(hash + 1);
  const colon = fragment.indexOf(':');
  const [ref, dir] = colon < 0 ? [fragment, undefined] : [fragment.slice(0, colon), fragment.slice(colon + 1)];
  return { url: checkGitUrl(raw.slice(0, hash), what), ref: checkRef(ref), path: checkRepoPath(dir) };
}

function formatGitSource({ url, ref, path }: GitSource): string {
  return ref || path ? `${url}#${ref ?? ''}${path ? `:${path}` : ''}` : url;
}

/** `--dependency-url code=url`, repeated. */
export function parseDependencyUrls(pairs: string[]): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const pair of pairs) {
    const match = /^([a-z][a-z0-9-]*)=(.+)$/.exec(pair);
    if (!match) throw new MvError('invalid_request', `--dependency-url takes <module code>=<git URL>[#<ref>][:<path>], got ${JSON.stringify(pair)}`);
    urls[match[1]] = match[2];
  }
  return urls;
}

function checkRepoPath(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '' || raw === '.') return undefined;
  const clean = raw.replace(/\/+$/, '');
  if (!/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[\w./-]+$/.test(clean) || clean.startsWith('-')) {
    throw new MvError('invalid_request', `path must be a directory inside the repository, without "..", got ${JSON.stringify(raw)}`);
  }
  return clean;
}

/**
 * Installs, upgrades and uninstalls modules in the data dir: what `mvctl module ...`, the API and the
 * back-office's Modules page call. Every operation holds the data dir's module lock and is all or
 * nothing (see README.md in this folder).
 */
export class ModuleService {
  constructor(private readonly options: ModuleServiceOptions) {}

  /** The installed modules, and whether `running` (a server's registry) was built from another set. */
  installed(running: Registry): InstalledModules {
    const { config } = this.options;
    const entries = readState(config).modules;
    const manifests = new Map<string, ModuleManifest | undefined>();
    const problems = new Map<string, string>();
    for (const entry of entries) {
      try {
        manifests.set(entry.code, installedManifest(config, entry));
      } catch (error) {
        problems.set(entry.code, (error as Error).message);
      }
    }
    const modules = entries.map((entry): InstalledModuleView => {
      const manifest = manifests.get(entry.code);
      return {
        code: entry.code,
        version: manifest?.currentVersion ?? entry.version,
        ...(manifest && { description: manifest.description }),
        source: entry.source,
        ...(entry.git && { git: publicOrigin(entry.git) }),
        ...(entry.installedAt && { installedAt: entry.installedAt }),
        ...(entry.dependencyOf && { dependencyOf: entry.dependencyOf }),
        dependencies: (manifest?.moduleDependencies ?? []).map((d) => ({ code: d.code, version: d.currentVersion })),
        dependents: dependentsOf(entry.code, manifests),
        ...(problems.has(entry.code) && { problem: problems.get(entry.code) }),
      };
    });
    // The folder too: an overwrite, a reinstall or a new head of a branch may keep the version.
    const installed = modules.map((m, i) => `${m.code}@${m.version} ${locationOf(config, entries[i]).dir}`).sort();
    const loaded = running.modules.map((m) => `${m.manifest.code}@${m.manifest.currentVersion} ${m.dir}`).sort();
    return { modules, restartRequired: installed.join('\n') !== loaded.join('\n') };
  }

  /** Clones, checks, builds and installs a module and the dependencies it is missing (those first). */
  install(request: InstallRequest, actor = 'unknown'): Promise<ModuleOperationResult> {
    const parsed = parseInstallRequest(request);
    return this.operation('Install', redact(parsed.url), actor, async (op) => {
      const root = await op.fetchModule({ url: parsed.url, ref: parsed.ref, path: parsed.path });
      const existing = op.installedEntry(root.manifest.code);
      if (existing) {
        const where = existing.git ? `from ${publicOrigin(existing.git).url}` : 'bundled with this host';
        if (parsed.onConflict === 'skip') {
          return [{ code: existing.code, action: 'skipped', version: op.installedVersion(existing.code) }];
        }
        if (parsed.onConflict !== 'overwrite') {
          throw new MvError(
            'conflict',
            `${existing.code} ${op.installedVersion(existing.code)} is already installed (${where}); use --on-conflict overwrite to replace it, --on-conflict skip to keep it, or \`mvctl module upgrade ${existing.code}\``,
          );
        }
        root.replaces = existing;
      }
      return op.installWithDependencies(root, parsed.dependencyUrls ?? {});
    });
  }

  /** Fetches the module again from where it was installed (at `ref`, or the same ref) and installs that version. */
  upgrade(code: string, request: { ref?: string } = {}, actor = 'unknown'): Promise<ModuleOperationResult> {
    const ref = checkRef(request.ref);
    return this.operation('Upgrade', code, actor, async (op) => {
      const entry = op.installedEntry(code);
      if (!entry) throw op.notInstalled(code);
      if (!entry.git) {
        throw new MvError('precondition_failed', `${code} is bundled with this host and has no git origin: install it from git with --on-conflict overwrite first`);
      }
      const root = await op.fetchModule({ url: entry.git.url, ref: ref ?? entry.git.ref, path: entry.git.path });
      if (root.manifest.code !== code) throw new MvError('conflict', `${root.label} now holds ${root.manifest.code}, not ${code}`);
      root.replaces = entry;
      return op.installWithDependencies(root, {});
    });
  }

  /** Refused while another installed module depends on it; its tables and data stay unless `purge`. */
  uninstall(code: string, request: { purge?: boolean } = {}, actor = 'unknown'): Promise<ModuleOperationResult> {
    return this.operation('Uninstall', code, actor, (op) => op.uninstall(code, request.purge ?? false));
  }

  private async operation(verb: string, target: string, actor: string, work: (op: Operation) => Promise<ModuleChange[]>): Promise<ModuleOperationResult> {
    const { logger } = this.options;
    const op = new Operation(this.options);
    try {
      const changes = await op.run(work);
      for (const change of changes) logger.info({ ...change, actor }, `module ${change.code} ${change.action}`);
      return { changes, restartRequired: changesSomething(changes) };
    } catch (error) {
      const failure = describeFailure(verb, target, error, op.rollbackProblems);
      logger.warn({ actor, ...(failure.details as object) }, failure.message);
      logger.debug({ err: error instanceof StepFailure ? error.error : error }, 'module operation failure');
      throw failure;
    }
  }
}

/** Skipping changes nothing: neither the data dir nor, then, what a server should run. */
function changesSomething(changes: ModuleChange[] | undefined): boolean {
  return changes?.some((c) => c.action !== 'skipped') ?? false;
}

/** Modules (of those given) whose manifest depends on `code`. */
function dependentsOf(code: string, manifests: Map<string, ModuleManifest | undefined>): string[] {
  return [...manifests].filter(([, manifest]) => manifest?.moduleDependencies.some((d) => d.code === code)).map(([other]) => other);
}

/** A git origin as it may be shown: without the credentials its URL may carry. */
function publicOrigin(git: GitOrigin): GitOrigin {
  return { ...git, url: redact(git.url) };
}

class StepFailure extends Error {
  constructor(
    readonly step: string,
    readonly error: unknown,
  ) {
    super((error as Error)?.message ?? String(error));
  }
}

function describeFailure(verb: string, target: string, error: unknown, rollbackProblems: string[]): MvError {
  const step = error instanceof StepFailure ? error.step : undefined;
  const cause = error instanceof StepFailure ? error.error : error;
  const known = isMvError(cause) ? cause : undefined;
  const code = known && known.code !== 'internal' ? known.code : step ? 'precondition_failed' : 'internal';
  const outcome = rollbackProblems.length ? `and its rollback failed too (${rollbackProblems.join('; ')})` : 'nothing was changed';
  const detail = databaseDetail(cause);
  const message = `${verb} of ${target} failed${step ? ` at ${step}` : ''}; ${outcome}: ${(cause as Error)?.message ?? String(cause)}${typeof detail === 'string' ? ` (${detail})` : ''}`;
  return new MvError(code, message, { ...(step && { step }), ...(known?.details !== undefined && { cause: known.details }) }, { cause });
}

/** The database's own explanation, when it gives one (PostgreSQL: which constraint of which table). */
function databaseDetail(error: unknown): string | undefined {
  for (let each = error as { cause?: unknown; driverError?: { detail?: unknown } } | undefined; each; each = each.cause as typeof each) {
    if (typeof each.driverError?.detail === 'string') return each.driverError.detail;
  }
  return undefined;
}

interface Checkout {
  url: string;
  ref?: string;
  commit: string;
  dir: string;
}

interface Source {
  url: string;
  ref?: string;
  path?: string;
  /** A dependency in the same repository as its dependent: its checkout, not a new clone. */
  checkout?: Checkout;
  /** Given by --dependency-url (for messages). */
  override?: boolean;
}

/** A module on its way in: fetched, then built, loaded, migrated. */
interface Candidate {
  manifest: ModuleManifest;
  checkout: Checkout;
  path?: string;
  /** Where its module.json is, links resolved (a `path` may be a link inside the repository). */
  dir: string;
  /** `<url> (<ref>) <path>`, for messages. */
  label: string;
  replaces?: InstalledModule;
  dependencyOf?: string;
  installDir?: string;
  location?: ModuleLocation;
  loaded?: LoadedModule;
  hooks?: Partial<Record<HookName, ModuleHook>>;
}

interface Installed {
  entry: InstalledModule;
  location: ModuleLocation;
  loaded: LoadedModule;
}

/**
 * One install, upgrade or uninstall: holds the lock, stages clones, and records everything it creates,
 * so that a failure at any step can put the data dir and the database back as they were.
 */
class Operation {
  state: ModuleState = { format: 1, modules: [] };
  readonly rollbackProblems: string[] = [];
  private readonly config: Config;
  private readonly root: string;
  private readonly staging: string;
  private readonly checkouts = new Map<string, Checkout>();
  /** Install folders made by this operation: removed unless it succeeds. */
  private readonly created: string[] = [];
  /** Install folders this operation replaces: removed once it has succeeded. */
  private readonly obsolete: string[] = [];
  /** Paths of the data dir that did not exist before (the data dir, modules/, the SQLite file, the key file). */
  private readonly fresh: string[] = [];
  private prepared?: PreparedState;
  /** The new state is in: the operation has happened, whatever fails after. */
  private committed = false;
  private installed?: Installed[];

  constructor(private readonly options: ModuleServiceOptions) {
    this.config = options.config;
    this.root = modulesRoot(this.config);
    this.staging = path.join(this.root, '.staging', `${process.pid}-${Date.now()}`);
  }

  async run(work: (op: Operation) => Promise<ModuleChange[]>): Promise<ModuleChange[]> {
    this.noteFresh(this.config.dataDir, this.root);
    let release: (() => void) | undefined;
    let changes: ModuleChange[] | undefined;
    try {
      release = acquireLock(this.config, 'module operation');
      this.state = readState(this.config);
      removeLeftovers(this.config, this.state);
      fs.mkdirSync(this.staging, { recursive: true });
      changes = await work(this);
      return changes;
    } catch (error) {
      if (release) this.rollback();
      throw error;
    } finally {
      const changed = changesSomething(changes);
      if (release) {
        this.attempt(() => fs.rmSync(path.dirname(this.staging), { recursive: true, force: true }));
        if (changed) for (const dir of this.obsolete) this.attempt(() => removeInstallDir(this.root, dir));
        else this.removeFresh('files');
        release();
      }
      // Nothing changed (a failure, or a skip): not even the folders this operation needed.
      if (!changed) this.removeFresh('folders');
    }
  }

  installedEntry(code: string): InstalledModule | undefined {
    return this.state.modules.find((m) => m.code === code);
  }

  notInstalled(code: string): MvError {
    return new MvError('not_found', `${code} is not installed (installed: ${this.state.modules.map((m) => m.code).join(', ') || 'none'})`);
  }

  /** The version a module has now: its module.json's (the state only remembers it; a bundled module changes with the host). */
  installedVersion(code: string): string {
    const entry = this.installedEntry(code)!;
    return this.manifestOf(entry)?.currentVersion ?? entry.version;
  }

  step<T>(name: string, work: () => Promise<T> | T): Promise<T> {
    return Promise.resolve()
      .then(work)
      .catch((error) => {
        throw error instanceof StepFailure ? error : new StepFailure(name, error);
      });
  }

  /** Clones (once per URL and ref) and reads module.json, before anything else is done with the module. */
  async fetchModule(source: Source): Promise<Candidate> {
    const key = `${source.url}#${source.ref ?? ''}`;
    let repo = source.checkout ?? this.checkouts.get(key);
    if (!repo) {
      const dir = path.join(this.staging, `checkout-${this.checkouts.size + 1}`);
      const commit = await this.step(`clone of ${redact(source.url)}${source.ref ? ` (${source.ref})` : ''}`, () => checkout(source.url, source.ref, dir));
      repo = { url: source.url, ref: source.ref, commit, dir };
      this.checkouts.set(key, repo);
    }
    const label = `${redact(repo.url)} (${repo.ref ?? 'default branch'}${source.path ? `, ${source.path}/` : ''})`;
    const { manifest, dir } = await this.step('manifest', () => {
      const given = path.join(repo.dir, source.path ?? '');
      if (!fs.existsSync(given)) throw new MvError('invalid_request', `${label}: the repository has no ${source.path} directory`);
      const [dir, top] = [fs.realpathSync(given), fs.realpathSync(repo.dir)];
      if (dir !== top && !dir.startsWith(top + path.sep)) throw new MvError('invalid_request', `${label}: ${source.path} leaves the repository`);
      const file = path.join(dir, 'module.json');
      try {
        return { manifest: readManifest(file), dir };
      } catch (error) {
        throw isMvError(error) ? new MvError(error.code, error.message.replaceAll(file, `${label} module.json`), error.details) : error;
      }
    });
    return { manifest, checkout: repo, path: source.path, dir, label };
  }

  /**
   * The requested module and every dependency it is missing, dependencies first: fetched, checked
   * (codes, versions, cycles), built, loaded, checked together with what stays installed, migrated.
   */
  async installWithDependencies(root: Candidate, dependencyUrls: Record<string, string>): Promise<ModuleChange[]> {
    const installed = await this.loadInstalled();
    if (root.replaces) await this.step('dependencies', () => this.checkDependents(root, installed));
    const order = await this.step('dependencies', () => this.resolve(root, installed, dependencyUrls));
    for (const candidate of order) await this.step(`build of ${candidate.manifest.code}`, () => this.build(candidate));
    for (const candidate of order) {
      await this.step(`load of ${candidate.manifest.code}`, async () => {
        candidate.loaded = await loadModule(candidate.location!);
        candidate.hooks = await loadHooks(candidate.location!, candidate.manifest);
      });
    }
    const replaced = new Set(order.filter((c) => c.replaces).map((c) => c.manifest.code));
    const kept = installed.filter((m) => !replaced.has(m.entry.code));
    const registry = await this.step('registry', () => Registry.build([...kept.map((m) => m.loaded), ...order.map((c) => c.loaded!)]));

    const now = new Date().toISOString();
    const entries = new Map(order.map((c) => [c.manifest.code, this.entryOf(c, now)]));
    const next: ModuleState = {
      format: 1,
      modules: [...this.state.modules.map((m) => entries.get(m.code) ?? m), ...[...entries.values()].filter((e) => !replaced.has(e.code))],
    };
    await this.inDatabase(registry.entityClasses(), next, async (data, runner) => {
      const migrated = new Set(['mv-core', ...kept.map((m) => m.entry.code)]);
      for (const candidate of order) {
        const code = candidate.manifest.code;
        const context = { version: candidate.manifest.currentVersion, previousVersion: candidate.replaces && this.installedVersion(code) };
        await this.hook(candidate.hooks!, 'preInstall', code, context, data, runner);
        migrated.add(code);
        await this.step(`migrations of ${code}`, () => runMigrations(data, migrationSets(registry).filter((set) => migrated.has(set.module)), runner));
        await this.hook(candidate.hooks!, 'postInstall', code, context, data, runner);
      }
    });
    this.obsolete.push(...order.filter((c) => c.replaces?.source === 'git').map((c) => c.replaces!.dir));
    return order.map((c) => this.changeOf(c));
  }

  async uninstall(code: string, purge: boolean): Promise<ModuleChange[]> {
    const entry = this.installedEntry(code);
    if (!entry) throw this.notInstalled(code);
    const manifests = new Map(this.state.modules.map((m) => [m.code, this.manifestOf(m)]));
    const dependents = dependentsOf(code, manifests);
    if (dependents.length) {
      const names = dependents.join(', ');
      throw new MvError('conflict', `Cannot uninstall ${code}: ${names} ${dependents.length > 1 ? 'depend' : 'depends'} on it; uninstall ${dependents.length > 1 ? 'them' : 'it'} first`);
    }
    const manifest = manifests.get(code);
    const next: ModuleState = { format: 1, modules: this.state.modules.filter((m) => m.code !== code) };
    // Without --purge or uninstall hooks, the database is not touched: even a module that no longer loads can go.
    if (purge || manifest?.hooks?.preUninstall || manifest?.hooks?.postUninstall) {
      const installed = await this.loadInstalled();
      const target = installed.find((m) => m.entry.code === code)!;
      const hooks = await this.step(`load of ${code}`, () => loadHooks(target.location, target.loaded.manifest));
      const registry = await this.step('registry', () => Registry.build(installed.map((m) => m.loaded)));
      await this.inDatabase(registry.entityClasses(), next, async (data, runner) => {
        const context = { version: target.loaded.manifest.currentVersion, purge };
        await this.hook(hooks, 'preUninstall', code, context, data, runner);
        if (purge) await this.step(`purge of ${code}`, () => revertModuleMigrations(data, { module: code, migrations: target.loaded.definition.migrations }, runner));
        await this.hook(hooks, 'postUninstall', code, context, data, runner);
      });
    } else {
      this.prepared = prepareState(this.config, next);
      this.commitState();
    }
    if (entry.source === 'git') this.obsolete.push(entry.dir);
    const version = manifest?.currentVersion ?? entry.version;
    return [{ code, action: 'uninstalled', version, purged: purge, ...(entry.git && { git: publicOrigin(entry.git) }) }];
  }

  private manifestOf(entry: InstalledModule): ModuleManifest | undefined {
    try {
      return installedManifest(this.config, entry);
    } catch {
      return undefined;
    }
  }

  private async loadInstalled(): Promise<Installed[]> {
    if (this.installed) return this.installed;
    const installed: Installed[] = [];
    for (const entry of this.state.modules) {
      const location = locationOf(this.config, entry);
      const loaded = await this.step(`load of the installed module ${entry.code}`, () => loadModule(location));
      installed.push({ entry, location, loaded });
    }
    this.installed = installed;
    return installed;
  }

  /** Depth first from the requested module; a dependency is fetched only when nothing installed satisfies it. */
  private async resolve(root: Candidate, installed: Installed[], dependencyUrls: Record<string, string>): Promise<Candidate[]> {
    const planned = new Map<string, Candidate>([[root.manifest.code, root]]);
    const order: Candidate[] = [];
    const visit = async (candidate: Candidate, chain: string[]): Promise<void> => {
      const { code: dependent, currentVersion } = candidate.manifest;
      for (const dependency of candidate.manifest.moduleDependencies) {
        const needs = `${dependent} ${currentVersion} needs ${dependency.code} ${dependency.currentVersion}`;
        if (chain.includes(dependency.code)) throw new MvError('conflict', `Module dependency cycle: ${[...chain, dependency.code].join(' → ')}`);
        const other = planned.get(dependency.code);
        const present = other ? undefined : installed.find((m) => m.entry.code === dependency.code);
        if (other || present) {
          const version = other ? other.manifest.currentVersion : present!.loaded.manifest.currentVersion;
          if (!satisfies(version, dependency.currentVersion)) {
            const where = other ? `${other.label} has ${dependency.code} ${version}` : `${dependency.code} ${version} is installed (upgrade it first: mvctl module upgrade ${dependency.code} --ref <ref>)`;
            throw new MvError('conflict', `${needs}, but ${where}`);
          }
          continue;
        }
        const source = this.sourceOf(dependency, candidate, dependencyUrls);
        const child = await this.fetchModule(source);
        if (child.manifest.code !== dependency.code) {
          const hint = source.override ? ` (point --dependency-url at its directory: ${dependency.code}=<url>#<ref>:<path>)` : '';
          throw new MvError('conflict', `${dependent} declares the dependency ${dependency.code}, but ${child.label} holds ${child.manifest.code}${hint}`);
        }
        if (!satisfies(child.manifest.currentVersion, dependency.currentVersion)) {
          throw new MvError('conflict', `${needs}, but ${child.label} has ${dependency.code} ${child.manifest.currentVersion}`);
        }
        child.dependencyOf = dependent;
        planned.set(dependency.code, child);
        await visit(child, [...chain, dependency.code]);
      }
      order.push(candidate);
    };
    await visit(root, [root.manifest.code]);
    return order;
  }

  /**
   * Where a missing dependency comes from: `--dependency-url`; else no gitUrl (or ".") with a `path`:
   * the dependent's own checkout; else its gitUrl (a relative one is resolved against the dependent's
   * URL, as git submodules do) at its gitBranch.
   */
  private sourceOf(dependency: ModuleDependency, dependent: Candidate, dependencyUrls: Record<string, string>): Source {
    const override = dependencyUrls[dependency.code];
    if (override) return { ...parseGitSource(override, `URL of dependency ${dependency.code}`), override: true };
    const gitUrl = dependency.gitUrl?.trim();
    const ref = checkRef(dependency.gitBranch);
    if (!gitUrl || gitUrl === '.' || gitUrl === './') {
      if (!dependency.path) {
        throw new MvError(
          'precondition_failed',
          `${dependent.manifest.code} needs ${dependency.code} ${dependency.currentVersion}, which is not installed, and its module.json gives neither gitUrl nor path: install it first, or pass --dependency-url ${dependency.code}=<git URL>`,
        );
      }
      return { url: dependent.checkout.url, ref: dependent.checkout.ref, path: dependency.path, checkout: dependent.checkout };
    }
    const what = `gitUrl of ${dependency.code} in ${dependent.label} module.json`;
    if (gitUrl.startsWith('./') || gitUrl.startsWith('../')) return { url: checkGitUrl(resolveRelativeUrl(dependent.checkout.url, gitUrl), what), ref, path: dependency.path };
    return { url: checkGitUrl(gitUrl, what), ref, path: dependency.path };
  }

  /** Installed modules that need the module being replaced must accept its new version; no downgrade. */
  private checkDependents(root: Candidate, installed: Installed[]): void {
    const { code, currentVersion } = root.manifest;
    const previous = this.installedVersion(code);
    if (semver.lt(currentVersion, previous)) {
      throw new MvError('conflict', `${root.label} has ${code} ${currentVersion}, older than the installed ${previous}: modules are not downgraded (their migrations stay applied)`);
    }
    for (const other of installed) {
      const range = other.loaded.manifest.moduleDependencies.find((d) => d.code === code)?.currentVersion;
      if (range && !satisfies(currentVersion, range)) {
        throw new MvError('conflict', `${other.entry.code} ${other.loaded.manifest.currentVersion} needs ${code} ${range}; ${code} ${currentVersion} would break it`);
      }
    }
  }

  private async build(candidate: Candidate): Promise<void> {
    const relative = newInstallDir(candidate.manifest.code, candidate.manifest.currentVersion);
    const dir = path.join(this.root, relative);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    this.created.push(relative);
    await buildModule(candidate.dir, dir, candidate.manifest);
    candidate.installDir = relative;
    candidate.location = { dir, buildDir: path.join(dir, BUILD_DIR), source: 'git' };
  }

  /**
   * Opens the database with the given entities and runs `work` in one transaction, which also prepares
   * the `next` state file. The state is swapped in the moment the transaction commits: what may still
   * fail after (SQLite's foreign keys switched back on, closing the connection) must not leave the
   * database changed and the modules not, so it is only logged.
   */
  private async inDatabase(entities: EntityClass[], next: ModuleState, work: (data: DataSource, runner: QueryRunner) => Promise<void>): Promise<void> {
    const { dataDir, masterKey, databaseUrl } = this.config;
    if (!masterKey) this.noteFresh(path.join(dataDir, 'master.key'));
    const sqlitePath = path.join(dataDir, 'mv.sqlite');
    if (!databaseUrl) this.noteFresh(sqlitePath);
    const data = await this.step('database', async () =>
      openDataSource({ databaseUrl, sqlitePath, schema: this.options.schema, entities: [...CORE_ENTITIES, ...entities], secrets: SecretBox.load({ masterKey, dataDir }) }),
    );
    const runner = data.createQueryRunner();
    // inMigrationTransaction (core/db) has no after-commit hook: the runner's commit gets one.
    const commit = runner.commitTransaction.bind(runner);
    runner.commitTransaction = async () => {
      await commit();
      this.commitState();
    };
    try {
      await inMigrationTransaction(runner, async () => {
        await work(data, runner);
        this.prepared = prepareState(this.config, next);
      });
    } catch (error) {
      if (!this.committed) throw error;
      this.options.logger.warn({ err: error }, 'module operation: a step after the commit failed; the operation is done');
    } finally {
      await this.quietly('release of the database connection', () => runner.release());
      await this.quietly('close of the database', () => data.destroy());
    }
  }

  /** Cleanup that must not turn a done operation (or the failure being reported) into another failure. */
  private async quietly(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.options.logger.warn({ err: error }, `module operation: ${what} failed`);
    }
  }

  private hook(
    hooks: Partial<Record<HookName, ModuleHook>>,
    name: HookName,
    module: string,
    context: { version: string; previousVersion?: string; purge?: boolean },
    data: DataSource,
    runner: QueryRunner,
  ): Promise<void> {
    const hook = hooks[name];
    if (!hook) return Promise.resolve();
    const logger = this.options.logger.child({ module, hook: name });
    return this.step(`${name} hook of ${module}`, () => hook({ hook: name, module, ...context, manager: runner.manager, dialect: dialectOf(data), logger }));
  }

  private commitState(): void {
    this.prepared!.commit();
    this.prepared = undefined;
    // From here on the operation has happened: its folders are in use.
    this.committed = true;
    this.created.length = 0;
  }

  private entryOf(candidate: Candidate, installedAt: string): InstalledModule {
    return {
      code: candidate.manifest.code,
      version: candidate.manifest.currentVersion,
      source: 'git',
      dir: candidate.installDir!,
      git: originOf(candidate),
      installedAt,
      ...(candidate.dependencyOf && { dependencyOf: candidate.dependencyOf }),
    };
  }

  private changeOf(candidate: Candidate): ModuleChange {
    const { code, currentVersion: version } = candidate.manifest;
    const previousVersion = candidate.replaces && this.installedVersion(code);
    return {
      code,
      action: !previousVersion ? 'installed' : semver.gt(version, previousVersion) ? 'upgraded' : 'reinstalled',
      version,
      ...(previousVersion && { previousVersion }),
      ...(candidate.dependencyOf && { dependencyOf: candidate.dependencyOf }),
      git: publicOrigin(originOf(candidate)),
    };
  }

  private rollback(): void {
    if (this.prepared) this.attempt(() => this.prepared!.discard());
    for (const dir of this.created) this.attempt(() => removeInstallDir(this.root, dir));
  }

  private noteFresh(...paths: string[]): void {
    for (const file of paths) if (!fs.existsSync(file) && !this.fresh.includes(file)) this.fresh.push(file);
  }

  /** Files are removed while the lock is held; folders after, and only when empty (another operation may have started). */
  private removeFresh(what: 'files' | 'folders'): void {
    for (const file of [...this.fresh].reverse()) {
      if (what === 'folders') {
        if (file === this.config.dataDir || file === this.root) this.attempt(() => fs.existsSync(file) && !fs.readdirSync(file).length && fs.rmdirSync(file));
        continue;
      }
      if (file === this.config.dataDir || file === this.root) continue;
      const companions = file.endsWith('.sqlite') ? ['-wal', '-shm', '-journal'].map((suffix) => file + suffix) : [];
      for (const each of [file, ...companions]) this.attempt(() => fs.rmSync(each, { force: true }));
    }
  }

  private attempt(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.rollbackProblems.push((error as Error).message);
    }
  }
}

function originOf(candidate: Candidate): GitOrigin {
  const { url, ref, commit } = candidate.checkout;
  return { url, ...(ref && { ref }), commit, ...(candidate.path && { path: candidate.path }) };
}

function satisfies(version: string, range: string): boolean {
  return semver.satisfies(version, range, { includePrerelease: true });
}

/** Removes an install folder, then its `<code>` folder and `installed/` when they are left empty. */
function removeInstallDir(root: string, relative: string): void {
  fs.rmSync(path.join(root, relative), { recursive: true, force: true });
  for (let dir = path.dirname(path.join(root, relative)); dir.startsWith(root + path.sep) && dir !== root; dir = path.dirname(dir)) {
    if (fs.existsSync(dir) && !fs.readdirSync(dir).length) fs.rmdirSync(dir);
    else break;
  }
}
