import type { RequestHandler } from 'express';
import type { Logger } from '../logger.js';

/** One log line per request, when it ends: method, path, status, time, who. */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      logger.info(
        { method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ms: Math.round(performance.now() - started), actor: req.actor?.name },
        'request',
      );
    });
    next();
  };
}
