import express, { Router } from 'express';
import { actorOf, requireRole } from '../core/api/auth.js';
import { handle } from '../core/api/errors.js';
import { MvError } from '../core/errors.js';
import { moduleCommandsOf } from '../core/modules/process.js';
import { roleAllows } from '../core/roles.js';
import type { Runtime } from '../core/runtime.js';

/**
 * The Modules page's endpoints, under `<root>/mv/modules` (the same `mvctl module` commands as the API,
 * each in a child process):
 * - GET  /                 installed modules, the running ones, whether a restart is needed, and whether
 *                          this user may change them;
 * - POST /install          `{ url, ref?, path?, onConflict?, dependencyUrls? }` (admin);
 * - POST /:code/upgrade    `{ ref? }` (admin);
 * - POST /:code/uninstall  `{ purge? }` (admin).
 */
export function moduleRoutes(runtime: Runtime): Router {
  const router = Router();
  const commands = moduleCommandsOf(runtime);

  router.get(
    '/',
    handle(async (req, res) => {
      const who = actorOf(req);
      const { modules, restartRequired } = commands.installed(runtime.registry);
      res.json({
        installed: modules,
        running: runtime.registry.modules.map((m) => ({ code: m.manifest.code, version: m.manifest.currentVersion })),
        restartRequired,
        canManage: roleAllows(who.role, 'admin'),
      });
    }),
  );
  router.post(
    '/install',
    express.json({ limit: '64kb' }),
    handle(async (req, res) => {
      res.json(await commands.install(req.body, requireRole(req, 'admin', 'Installing modules').name));
    }),
  );
  router.post(
    '/:code/upgrade',
    express.json({ limit: '16kb' }),
    handle(async (req, res) => {
      const actor = requireRole(req, 'admin', 'Upgrading modules');
      res.json(await commands.upgrade(req.params.code, { ref: (req.body as { ref?: unknown } | undefined)?.ref || undefined }, actor.name));
    }),
  );
  router.post(
    '/:code/uninstall',
    express.json({ limit: '16kb' }),
    handle(async (req, res) => {
      const actor = requireRole(req, 'admin', 'Uninstalling modules');
      const purge = (req.body as { purge?: unknown } | undefined)?.purge ?? false;
      if (typeof purge !== 'boolean') throw new MvError('invalid_request', 'purge must be true or false');
      res.json(await commands.uninstall(req.params.code, { purge }, actor.name));
    }),
  );
  return router;
}
