/**
 * Products (`/products/...`): the catalogue of commercial types with prices and constraints, their
 * availability (`available`, `scarce`, `shortage`), and volume types. Commercial types come as a
 * map keyed by name, paginated in name order.
 */
import { Router, type Request, type Response } from 'express';
import { INSTANCE_VOLUME_TYPES, SERVER_TYPE_AVAILABILITY, SERVER_TYPES } from './catalogue.js';
import { instancePage, itemsOf, setListHeaders } from './pagination.js';
import { replyJson } from './reply.js';

/** Answers one page of a map, with the list headers. */
function replyMapPage<T>(req: Request, res: Response, key: string, map: Record<string, T>): void {
  const page = instancePage(req);
  const entries = Object.entries(map);
  setListHeaders(req, res, entries.length, page);
  replyJson(res, 200, { [key]: Object.fromEntries(itemsOf(entries, page)) });
}

const AVAILABILITY = Object.fromEntries(Object.entries(SERVER_TYPE_AVAILABILITY).map(([name, availability]) => [name, { availability }]));

export function productsRoutes(): Router {
  const router = Router({ mergeParams: true });

  router.get('/products/servers', (req, res) => {
    replyMapPage(req, res, 'servers', SERVER_TYPES);
  });

  router.get('/products/servers/availability', (req, res) => {
    replyMapPage(req, res, 'servers', AVAILABILITY);
  });

  router.get('/products/volumes', (req, res) => {
    replyMapPage(req, res, 'volumes', INSTANCE_VOLUME_TYPES);
  });

  return router;
}
