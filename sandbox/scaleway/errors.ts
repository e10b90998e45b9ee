/**
 * Scaleway error answers. Handlers throw `ScalewayError`; `errorHandler` writes it.
 *
 * Two families coexist in production: the Instance API still answers its legacy shapes
 * (`invalid_request_error` with `fields`, quota errors as `invalid_request_error`), while the
 * gateway and the newer APIs (Block, Marketplace) answer the standard ones (`not_found`,
 * `invalid_arguments`, `precondition_failed`...). Shapes follow recorded traffic where it shows
 * them, scaleway-sdk-js `packages/client/src/scw/errors/` otherwise.
 */
import type { ErrorRequestHandler } from 'express';
import type {
  ErrorBody,
  GatewayErrorBody,
  InvalidArgumentDetail,
  TooManyRequestsErrorBody,
} from '../../providers/scaleway/wire.js';
import type { FaultResponses } from '../faults.js';
import { replyJson } from './reply.js';

export class ScalewayError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | GatewayErrorBody,
  ) {
    super(body.message);
  }
}

/** 404 of both families: `resource` is e.g. `instance_server` (Instance) or `volume` (Block). */
export const notFound = (resource: string, resourceId: string) =>
  new ScalewayError(404, { type: 'not_found', message: 'resource is not found', resource, resource_id: resourceId });

/** Legacy Instance 400: a message, and per-field messages for validation errors. */
export const invalidRequest = (message: string, fields?: Record<string, string[]>) =>
  new ScalewayError(400, { type: 'invalid_request_error', message, ...(fields && { fields }) });

/** Standard 400 of the newer APIs. */
export const invalidArguments = (details: InvalidArgumentDetail[]) =>
  new ScalewayError(400, { type: 'invalid_arguments', message: 'invalid argument(s)', details });

/** Legacy Instance quota answer (403), which the SDK maps to its quotas error. */
export const quotaExceeded = (resource: string) =>
  new ScalewayError(403, { type: 'invalid_request_error', message: 'Quota exceeded for this resource.', resource });

export const transientState = (resource: string, resourceId: string, currentState: string) =>
  new ScalewayError(409, {
    type: 'transient_state',
    message: `resource ${resource} with ID ${resourceId} is in a transient state: ${currentState}`,
    resource,
    resource_id: resourceId,
    current_state: currentState,
  });

export const preconditionFailed = (precondition: string, helpMessage: string) =>
  new ScalewayError(412, { type: 'precondition_failed', message: 'precondition failed', precondition, help_message: helpMessage });

export const resourceLocked = (resource: string, resourceId: string) =>
  new ScalewayError(423, { type: 'locked', message: 'resource is locked', resource, resource_id: resourceId });

export const outOfStock = (resource: string) =>
  new ScalewayError(503, { type: 'out_of_stock', message: `resource ${resource} is out of stock`, resource });

export const permissionsDenied = (resource: string, action: string) =>
  new ScalewayError(403, { type: 'permissions_denied', message: 'insufficient permissions', details: [{ resource, action }] });

export const deniedAuthentication = (reason: 'invalid_argument' | 'not_found') =>
  new ScalewayError(401, { type: 'denied_authentication', message: 'authentication is denied', method: 'api_key', reason });

/** What the gateway answers on a 5xx (a 28-byte JSON body in production). */
const gatewayError = (status: number) => new ScalewayError(status, { message: 'internal error' });

/**
 * Scaleway's 429s: `bare` is the Envoy answer production gives (empty body,
 * `x-envoy-ratelimited: true`, no Retry-After); `json` is the `too_many_requests` body the SDK
 * defines.
 */
export const scalewayFaultResponses: FaultResponses = {
  tooManyRequests(res, { shape, resetSeconds, quotaPerSecond }) {
    if (shape === 'bare') {
      res.status(429).setHeader('x-envoy-ratelimited', 'true');
      res.end();
      return;
    }
    const body: TooManyRequestsErrorBody = {
      type: 'too_many_requests',
      message: 'too many requests',
      help_message: 'slow down and retry later',
      ...(quotaPerSecond !== undefined && { limit: { quota: quotaPerSecond, window_seconds: 1 } }),
      reset_seconds: resetSeconds,
      reset_at: new Date(Date.now() + resetSeconds * 1000).toISOString(),
    };
    replyJson(res, 429, body);
  },
  serverError(res, status) {
    const error = gatewayError(status);
    replyJson(res, error.status, error.body);
  },
};

/** Writes thrown errors as Scaleway answers; a malformed JSON body is a legacy 400. */
export const errorHandler: ErrorRequestHandler = (error, _req, res, _next) => {
  if (error instanceof ScalewayError) return replyJson(res, error.status, error.body);
  if (error?.type === 'entity.parse.failed') {
    const invalid = invalidRequest('Invalid JSON body');
    return replyJson(res, invalid.status, invalid.body);
  }
  // a bug in the emulator: keep the provider's shape, but say what happened
  console.error('scaleway emulator: unexpected error', error);
  const internal = gatewayError(500);
  replyJson(res, internal.status, internal.body);
};
