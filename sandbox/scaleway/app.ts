/**
 * The Scaleway emulator's express app: the shared sandbox base (control endpoints, faults) in
 * front of authentication, lazy transitions and the Instance v1, Block v1 and Marketplace v2
 * routes.
 */
import express, { Router, type RequestHandler } from 'express';
import { createEmulatorApp, type EmulatorApp } from '../emulator.js';
import type { FaultPlan } from '../faults.js';
import { requireToken } from './auth.js';
import { blockRoutes } from './block.js';
import { ZONES } from './catalogue.js';
import type { ScalewayContext } from './context.js';
import { errorHandler, invalidArguments, notFound, scalewayFaultResponses } from './errors.js';
import { imagesRoutes } from './images.js';
import { ipsRoutes } from './ips.js';
import type { RequestJournal } from './journal.js';
import { marketplaceRoutes } from './marketplace.js';
import { privateNicsRoutes } from './private-nics.js';
import { productsRoutes } from './products.js';
import { zoneOf } from './request.js';
import { securityGroupRulesRoutes } from './security-group-rules.js';
import { securityGroupsRoutes } from './security-groups.js';
import { seedRoute } from './seed.js';
import { serverActionsRoutes } from './server-actions.js';
import { serversRoutes } from './servers.js';
import { snapshotsRoutes } from './snapshots.js';
import { userDataRoutes } from './user-data.js';
import { volumesRoutes } from './volumes.js';

const knownZone: RequestHandler = (req, _res, next) => {
  if ((ZONES as readonly string[]).includes(zoneOf(req))) return next();
  next(invalidArguments([{ argument_name: 'zone', reason: 'constraint', help_message: `unknown zone, expected one of ${ZONES.join(', ')}` }]));
};

/** Instance v1 routes of a zone. `/bootscripts` was removed from the API: it falls to the 404. */
function instanceRoutes(ctx: ScalewayContext): Router {
  const router = Router({ mergeParams: true });
  for (const routes of [
    serversRoutes(ctx),
    serverActionsRoutes(ctx),
    userDataRoutes(ctx),
    privateNicsRoutes(ctx),
    volumesRoutes(ctx),
    snapshotsRoutes(ctx),
    imagesRoutes(ctx),
    securityGroupRulesRoutes(ctx),
    securityGroupsRoutes(ctx),
    ipsRoutes(ctx),
    productsRoutes(),
  ]) {
    router.use(routes);
  }
  return router;
}

export interface ScalewayAppOptions {
  /** The one accepted `X-Auth-Token`; any token when absent. */
  token?: string;
  /** Faults active from the start and after each reset (e.g. a steady rate limit). */
  faults?: FaultPlan;
  /** Records every authenticated API request the emulator answers. */
  journal?: RequestJournal;
}

export function createScalewayApp(ctx: ScalewayContext, options: ScalewayAppOptions = {}): EmulatorApp {
  const emulator = createEmulatorApp({ responses: scalewayFaultResponses, reset: () => ctx.state.reset(), faults: options.faults });
  emulator.control.post('/seed', seedRoute(ctx));
  emulator.control.use(errorHandler);

  const api = Router();
  api.use(requireToken(options.token));
  api.use((req, _res, next) => {
    options.journal?.record(req.method, req.path);
    next();
  });
  // transitions that fell due since the last request are applied before answering this one
  api.use((_req, _res, next) => {
    ctx.state.timeline.advance();
    next();
  });
  api.use(express.json({ limit: '1mb' }));
  api.use('/instance/v1/zones/:zone', knownZone, instanceRoutes(ctx));
  api.use('/block/v1/zones/:zone', knownZone, blockRoutes(ctx));
  api.use('/marketplace/v2', marketplaceRoutes(ctx.state));
  api.use((req, _res, next) => next(notFound('route', req.path)));
  api.use(errorHandler);
  emulator.app.use(api);
  return emulator;
}
