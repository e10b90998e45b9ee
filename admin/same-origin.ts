import type { Request, RequestHandler } from 'express';
import { publicHost } from '../core/server.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses any request that could change something (every method but GET, HEAD, OPTIONS) unless the browser
 * says it comes from this very server: `Origin`, or failing that `Referer`, must name the host (and port)
 * the request was sent to. Browsers always send one of them on a cross-site POST, so a request with
 * neither is refused too. The scheme is not compared: behind a proxy that terminates TLS the server sees
 * http while the page is https. Together with the SameSite=Strict cookie, a page of another site can
 * neither run an action nor change a record.
 */
export function sameOriginOnly(): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method) || isSameOrigin(req)) return next();
    res.status(403).json({ error: { code: 'forbidden', message: 'Cross-site request refused: this endpoint accepts requests from the back-office pages only' } });
  };
}

export function isSameOrigin(req: Request): boolean {
  const claimed = req.get('origin') ?? req.get('referer');
  if (!claimed || claimed === 'null') return false;
  let origin: URL;
  try {
    origin = new URL(claimed);
  } catch {
    return false;
  }
  return origin.host.toLowerCase() === publicHost(req).toLowerCase();
}
