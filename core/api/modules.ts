import { Router } from 'express';
import { MvError } from '../errors.js';
import { moduleCommandsOf } from '../modules/process.js';
import type { Runtime } from '../runtime.js';
import { requireRole } from './auth.js';
import { handle } from './errors.js';

/**
 * GET /modules: the running modules, their entities (fields) and actions (parameters).
 * GET /modules/installed: what the data dir has installed, and whether a restart is needed to run it.
 * POST /modules/install, POST /modules/{code}/upgrade, DELETE /modules/{code}: admin only; each runs in a
 * child process (`mvctl module ...`), changes the data dir and the database, and the server runs the new
 * set after a restart.
 */
export function modulesRoutes(runtime: Runtime): Router {
  const router = Router();
  const commands = moduleCommandsOf(runtime);
  router.get(
    '/modules',
    handle(async (req, res) => {
      requireRole(req, 'viewer', 'Reading modules');
      res.json({ modules: runtime.registry.describe() });
    }),
  );
  router.get(
    '/modules/installed',
    handle(async (req, res) => {
      requireRole(req, 'viewer', 'Reading modules');
      res.json(commands.installed(runtime.registry));
    }),
  );
  router.post(
    '/modules/install',
    handle(async (req, res) => {
      const actor = requireRole(req, 'admin', 'Installing modules');
      res.json(await commands.install(req.body, actor.name));
    }),
  );
  router.post(
    '/modules/:code/upgrade',
    handle(async (req, res) => {
      const actor = requireRole(req, 'admin', 'Upgrading modules');
      res.json(await commands.upgrade(req.params.code, { ref: (req.body as { ref?: unknown } | undefined)?.ref }, actor.name));
    }),
  );
  router.delete(
    '/modules/:code',
    handle(async (req, res) => {
      const actor = requireRole(req, 'admin', 'Uninstalling modules');
      const purge = req.query.purge ?? 'false';
      if (purge !== 'true' && purge !== 'false') throw new MvError('invalid_request', `purge must be true or false, got ${JSON.stringify(purge)}`);
      res.json(await commands.uninstall(req.params.code, { purge: purge === 'true' }, actor.name));
    }),
  );
  return router;
}
