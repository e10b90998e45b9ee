/**
 * Private NICs of a server (`/servers/{id}/private_nics`). Private Networks belong to the VPC API,
 * which the sandbox does not emulate: servers have no private NIC, lists are empty.
 */
import { Router, type Request } from 'express';
import type { ScalewayContext } from './context.js';
import { notFound } from './errors.js';
import { replyInstanceList } from './pagination.js';
import { replyJson } from './reply.js';
import { zoneOf } from './request.js';

export function privateNicsRoutes(ctx: ScalewayContext): Router {
  const { state } = ctx;
  const router = Router({ mergeParams: true });
  const findServer = (req: Request) => state.find(state.servers, zoneOf(req), req.params.id, 'instance_server');

  router.get('/servers/:id/private_nics', (req, res) => {
    replyInstanceList(req, res, 'private_nics', findServer(req).private_nics);
  });

  router.get('/servers/:id/private_nics/:nicId', (req, res) => {
    const nic = findServer(req).private_nics.find((candidate) => candidate.id === req.params.nicId);
    if (!nic) throw notFound('instance_private_nic', req.params.nicId);
    replyJson(res, 200, { private_nic: nic });
  });

  return router;
}
