import type { ErrorRequestHandler, RequestHandler } from 'express';
import { isMvError, MvError } from '../errors.js';
import type { Logger } from '../logger.js';

/** `{"error": {"code", "message", "details"}}` with the right status: never HTML, a stack trace or a secret. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    let known: MvError;
    if (isMvError(error)) known = error;
    else if (error?.type === 'entity.parse.failed') known = new MvError('invalid_request', 'The body is not valid JSON');
    else if (error?.type === 'entity.too.large') known = new MvError('invalid_request', 'The body is too large');
    else if (error?.type === 'charset.unsupported' || error?.type === 'encoding.unsupported') known = new MvError('invalid_request', 'Unsupported body encoding');
    else {
      logger.error({ err: error, method: req.method, url: req.originalUrl }, 'unexpected error in a request');
      known = new MvError('internal', 'Internal error; the server log has the details');
    }
    const status = error?.type === 'entity.too.large' ? 413 : known.status;
    if (res.headersSent) return res.end();
    res.status(status).json({ error: known.toJSON() });
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new MvError('not_found', `No route ${req.method} ${req.path}`));
};

/** Lets async handlers throw: the error goes to the error handler instead of hanging the request. */
export function handle(fn: (...args: Parameters<RequestHandler>) => Promise<unknown>): RequestHandler {
  return (req, res, next) => {
    fn(req, res, next).catch(next);
  };
}
