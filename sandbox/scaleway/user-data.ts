/**
 * Server user data (`/servers/{id}/user_data`): keys listed as JSON, each value read and written
 * as raw `text/plain`, as the Scaleway SDK sends it. `cloud-init` is the key cloud-init reads.
 */
import express, { Router, type Request } from 'express';
import type { ScalewayContext } from './context.js';
import { invalidRequest, notFound } from './errors.js';
import { replyJson, replyNoContent, replyText } from './reply.js';
import { zoneOf } from './request.js';

const MAX_USER_DATA_BYTES = 1024 * 1024;

export function userDataRoutes(ctx: ScalewayContext): Router {
  const { state } = ctx;
  const router = Router({ mergeParams: true });
  const findServer = (req: Request) => state.find(state.servers, zoneOf(req), req.params.id, 'instance_server');
  /** The server's user data, which must hold the key of the path. */
  const userDataWithKey = (req: Request) => {
    const userData = findServer(req).user_data;
    if (!userData.has(req.params.key)) throw notFound('instance_user_data', req.params.key);
    return userData;
  };

  router.get('/servers/:id/user_data', (req, res) => {
    replyJson(res, 200, { user_data: [...findServer(req).user_data.keys()].sort() });
  });

  router.get('/servers/:id/user_data/:key', (req, res) => {
    replyText(res, 200, userDataWithKey(req).get(req.params.key)!);
  });

  router.patch('/servers/:id/user_data/:key', express.text({ type: 'text/*', limit: MAX_USER_DATA_BYTES }), (req, res) => {
    const server = findServer(req);
    if (typeof req.body !== 'string') throw invalidRequest('user data must be sent as text/plain');
    server.user_data.set(req.params.key, req.body);
    replyNoContent(res);
  });

  router.delete('/servers/:id/user_data/:key', (req, res) => {
    userDataWithKey(req).delete(req.params.key);
    replyNoContent(res);
  });

  return router;
}
