import { Router, type Request } from 'express';
import type { EntityInfo } from '../registry.js';
import type { Runtime } from '../runtime.js';
import { requireRole } from './auth.js';
import { handle } from './errors.js';
import { pageOf, setPageHeaders } from './pagination.js';
import { queryString } from './query.js';

const RESERVED = new Set(['page', 'per_page', 'sort']);

/** CRUD on every registered entity: /entities/{Entity}[/{id}]. */
export function entitiesRoutes(runtime: Runtime): Router {
  const router = Router();
  const entity = (req: Request): EntityInfo => runtime.registry.entity(req.params.entity);
  const service = runtime.entities;

  router.get(
    '/entities/:entity',
    handle(async (req, res) => {
      const info = entity(req);
      requireRole(req, info.read, `Reading ${info.label} records`);
      const { page, perPage } = pageOf(req);
      const filters = Object.fromEntries(
        Object.keys(req.query)
          .filter((key) => !RESERVED.has(key))
          .map((key) => [key, queryString(req, key)!]),
      );
      const sort = queryString(req, 'sort');
      const result = await service.list(info, { page, perPage, sort, filters });
      setPageHeaders(req, res, result.total, page, perPage);
      res.json(result);
    }),
  );

  router.post(
    '/entities/:entity',
    handle(async (req, res) => {
      const info = entity(req);
      const actor = requireRole(req, info.write, `Creating ${info.label} records`);
      const created = await service.create(info, req.body, actor);
      res.status(201).location(`${req.baseUrl}/entities/${info.name}/${created.id}`).json(created);
    }),
  );

  router.get(
    '/entities/:entity/:id',
    handle(async (req, res) => {
      const info = entity(req);
      requireRole(req, info.read, `Reading ${info.label} records`);
      res.json(await service.get(info, req.params.id));
    }),
  );

  router.patch(
    '/entities/:entity/:id',
    handle(async (req, res) => {
      const info = entity(req);
      const actor = requireRole(req, info.write, `Changing ${info.label} records`);
      res.json(await service.update(info, req.params.id, req.body, actor));
    }),
  );

  router.delete(
    '/entities/:entity/:id',
    handle(async (req, res) => {
      const info = entity(req);
      const actor = requireRole(req, info.write, `Deleting ${info.label} records`);
      await service.delete(info, req.params.id, actor);
      res.status(204).end();
    }),
  );
  return router;
}
