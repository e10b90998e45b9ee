import { Router } from 'express';
import type { Runtime } from '../runtime.js';
import { requireRole } from './auth.js';
import { handle } from './errors.js';

/** GET /modules: modules, their entities (fields) and actions (parameters). */
export function modulesRoutes(runtime: Runtime): Router {
  const router = Router();
  router.get(
    '/modules',
    handle(async (req, res) => {
      requireRole(req, 'viewer', 'Reading modules');
      res.json({ modules: runtime.registry.describe() });
    }),
  );
  return router;
}
