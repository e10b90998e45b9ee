import type { Request, RequestHandler } from 'express';
import type { DataSource } from 'typeorm';
import { actorForToken } from '../auth/tokens.js';
import { MvError } from '../errors.js';
import { assertRole, type Actor, type Role } from '../roles.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      actor?: Actor;
    }
  }
}

/** `Authorization: Bearer <token>` on every API route. */
export function bearerAuth(data: DataSource): RequestHandler {
  return (req, _res, next) => {
    if (req.actor) return next();
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) return next(new MvError('unauthorized', 'Send an API token: Authorization: Bearer <token> (create one with `mvctl token create --role viewer|operator|admin`)'));
    actorForToken(data, match[1])
      .then((actor) => {
        if (!actor) return next(new MvError('unauthorized', 'Unknown or revoked API token'));
        req.actor = actor;
        next();
      })
      .catch(next);
  };
}

export function actorOf(req: Request): Actor {
  if (!req.actor) throw new MvError('unauthorized', 'Not authenticated');
  return req.actor;
}

/** Refuses unless the caller's role is at least `role`. */
export function requireRole(req: Request, role: Role, what: string): Actor {
  const actor = actorOf(req);
  assertRole(actor, role, what);
  return actor;
}
