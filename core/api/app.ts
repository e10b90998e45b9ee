import express, { Router } from 'express';
import type { Runtime } from '../runtime.js';
import { actionsRoutes } from './actions.js';
import { bearerAuth, requireRole } from './auth.js';
import { entitiesRoutes } from './entities.js';
import { errorHandler, handle, notFound } from './errors.js';
import { jobsRoutes } from './jobs.js';
import { meveoRoutes } from './meveo.js';
import { modulesRoutes } from './modules.js';
import { openApiDocument } from './openapi.js';

/** The JSON API (`/api/v1`) and the Meveo-compatible route (`/meveo/api/rest`), with their own body parser. */
export function apiRouter(runtime: Runtime, version: string): Router {
  const router = Router();
  const json = express.json({ limit: '1mb' });
  const auth = bearerAuth(runtime.data);

  const api = Router();
  api.use(json, auth);
  // Built once: the registry does not change while the process runs (new modules run after a restart).
  const openApi = openApiDocument(runtime.registry, version);
  api.get(
    '/openapi.json',
    handle(async (req, res) => {
      requireRole(req, 'viewer', 'Reading the API description');
      res.json(openApi);
    }),
  );
  api.use(modulesRoutes(runtime), entitiesRoutes(runtime), actionsRoutes(runtime), jobsRoutes(runtime));
  api.use(notFound, errorHandler(runtime.logger));

  const meveo = Router();
  meveo.use(json, auth, meveoRoutes(runtime), notFound, errorHandler(runtime.logger));

  router.use('/api/v1', api);
  router.use('/meveo/api/rest', meveo);
  return router;
}
