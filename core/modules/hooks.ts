import type { EntityManager } from 'typeorm';
import type { Dialect } from '../db/data-source.js';
import { MvError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ModuleManifest } from '../manifest.js';
import { importModuleFile, type ModuleLocation } from './loader.js';

export const HOOKS = ['preInstall', 'postInstall', 'preUninstall', 'postUninstall'] as const;
export type HookName = (typeof HOOKS)[number];

/**
 * What a lifecycle hook receives. A hook is a file of the module named in module.json's `hooks`, whose
 * default export is `async (context: ModuleHookContext) => void`. Install and upgrade run preInstall
 * before the module's migrations and postInstall after them; uninstall runs preUninstall, then (with
 * --purge) reverts the migrations, then postUninstall. All of it is one database transaction: a hook
 * that throws rolls the whole operation back.
 */
export interface ModuleHookContext {
  hook: HookName;
  module: string;
  /** The version being installed, or the one being uninstalled. */
  version: string;
  /** On upgrade or reinstall, the version it replaces. */
  previousVersion?: string;
  /** Uninstall only: the module's tables are dropped after preUninstall. */
  purge?: boolean;
  /** In the operation's transaction; the module's entities (and those of the other modules) are known to it. */
  manager: EntityManager;
  dialect: Dialect;
  logger: Logger;
}

export type ModuleHook = (context: ModuleHookContext) => void | Promise<void>;

/** Imports the hooks a manifest declares, so that a missing file or export fails before the database is touched. */
export async function loadHooks(location: ModuleLocation, manifest: ModuleManifest): Promise<Partial<Record<HookName, ModuleHook>>> {
  const hooks: Partial<Record<HookName, ModuleHook>> = {};
  for (const name of HOOKS) {
    const file = manifest.hooks?.[name];
    if (!file) continue;
    const { value } = await importModuleFile(location, manifest.code, file, `hooks.${name}`);
    if (typeof value !== 'function') {
      throw new MvError('invalid_request', `${manifest.code}: hooks.${name} (${file}) must export a default function (export default async function (context) {...})`);
    }
    hooks[name] = value as ModuleHook;
  }
  return hooks;
}
