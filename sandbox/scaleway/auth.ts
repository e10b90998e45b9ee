/**
 * Authentication as the Scaleway gateway does it: every API call carries `X-Auth-Token` (an API
 * secret key; `X-Session-Token` for console sessions). Without one: 401 `denied_authentication`,
 * reason `invalid_argument`. With an expected token configured, another one is an unknown key:
 * 401, reason `not_found`. Otherwise any token is accepted.
 */
import type { RequestHandler } from 'express';
import { deniedAuthentication } from './errors.js';

export function requireToken(expected: string | undefined): RequestHandler {
  return (req, _res, next) => {
    const token = req.get('X-Auth-Token') ?? req.get('X-Session-Token');
    if (!token) return next(deniedAuthentication('invalid_argument'));
    if (expected !== undefined && token !== expected) return next(deniedAuthentication('not_found'));
    next();
  };
}
