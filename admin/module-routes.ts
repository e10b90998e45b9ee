import express, { Router, type Request } from 'express';
import { handle } from '../core/api/errors.js';
import { MvError } from '../core/errors.js';
import { moduleServiceOf, type InstallRequest } from '../core/modules/service.js';
import { roleAllows, type Actor } from '../core/roles.js';
import type { Runtime } from '../core/runtime.js';
import { actorOf } from './auth.js';

/**
 * The Modules page's endpoints, under `<root>/mv/modules` (the same service as `mvctl module` and the API):
 * - GET  /                 installed modules, the running ones, whether a restart is needed, and whether
 *                          this user may change them;
 * - POST /install          `{ url, ref?, path?, onConflict?, dependencyUrls? }` (admin);
 * - POST /:code/upgrade    `{ ref? }` (admin);
 * - POST /:code/uninstall  `{ purge? }` (admin).
 */
export function moduleRoutes(runtime: Runtime): Router {
  const router = Router();
  const service = moduleServiceOf(runtime);
  const actor = (req: Request): Actor => actorOf(req.session?.adminUser);
  const admin = (req: Request, what: string): Actor => {
    const who = actor(req);
    if (!roleAllows(who.role, 'admin')) throw new MvError('forbidden', `${what} needs the admin role; ${who.name} is ${who.role}`);
    return who;
  };

  router.get(
    '/',
    handle(async (req, res) => {
      const who = actor(req);
      res.json({
        installed: service.list(),
        running: runtime.registry.modules.map((m) => ({ code: m.manifest.code, version: m.manifest.currentVersion })),
        restartRequired: service.restartRequired(runtime.registry),
        canManage: roleAllows(who.role, 'admin'),
      });
    }),
  );
  router.post(
    '/install',
    express.json({ limit: '64kb' }),
    handle(async (req, res) => {
      res.json(await service.install(req.body as InstallRequest, admin(req, 'Installing modules').name));
    }),
  );
  router.post(
    '/:code/upgrade',
    express.json({ limit: '16kb' }),
    handle(async (req, res) => {
      const ref = (req.body as { ref?: unknown } | undefined)?.ref;
      if (ref !== undefined && typeof ref !== 'string') throw new MvError('invalid_request', 'ref must be a branch, tag or commit');
      res.json(await service.upgrade(req.params.code, { ref: ref || undefined }, admin(req, 'Upgrading modules').name));
    }),
  );
  router.post(
    '/:code/uninstall',
    express.json({ limit: '16kb' }),
    handle(async (req, res) => {
      const purge = (req.body as { purge?: unknown } | undefined)?.purge ?? false;
      if (typeof purge !== 'boolean') throw new MvError('invalid_request', 'purge must be true or false');
      res.json(await service.uninstall(req.params.code, { purge }, admin(req, 'Uninstalling modules').name));
    }),
  );
  return router;
}
