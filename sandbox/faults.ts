/**
 * Fault injection shared by the emulators: the failures real clouds produce, on demand.
 *
 * A fault plan is JSON, posted to `POST /__sandbox/faults` or passed to `FaultInjector.set()`.
 * Every key is optional; posting a plan replaces the keys it names and keeps the others.
 *
 * ```jsonc
 * {
 *   // Delay before every answer: fixed, or uniform between min and max (ms).
 *   "latencyMs": 70,                        // or { "min": 40, "max": 200 }
 *   // The next `count` matching requests are answered 429 in the provider's shape
 *   // ("bare": e.g. Scaleway's empty Envoy answer; "json": the documented error body).
 *   "rateLimit": { "count": 3, "shape": "bare", "method": "GET", "path": "/instance/*" },
 *   // The next `count` matching requests fail with `status` (default 503).
 *   "serverErrors": { "count": 2, "status": 503 },
 *   // The next `count` (default 1) matching requests that succeed are fully processed (the
 *   // resource exists), then the connection is destroyed without an answer: a lost response.
 *   "dropAfterCommit": { "method": "POST", "path": "/instance/v1/zones/fr-par-1/servers", "count": 1 },
 *   // A steady limit: a token bucket of `perSecond` requests a second, `burst` in reserve
 *   // (default `perSecond`); requests over it are answered 429 in `shape` (default "bare").
 *   "tokenBucket": { "perSecond": 100, "burst": 100, "shape": "bare" }
 * }
 * ```
 *
 * `method` and `path` select requests (both optional: everything matches); `*` in `path` matches
 * any run of characters. Counted faults are consumed by the requests they hit.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { TokenBucket } from './token-bucket.js';

export const RATE_LIMIT_SHAPES = ['bare', 'json'] as const;
export type RateLimitShape = (typeof RATE_LIMIT_SHAPES)[number];

export interface RequestMatch {
  method?: string;
  path?: string;
}

export interface FaultPlan {
  latencyMs?: number | { min: number; max: number };
  rateLimit?: RequestMatch & { count: number; shape?: RateLimitShape };
  serverErrors?: RequestMatch & { count: number; status?: number };
  dropAfterCommit?: RequestMatch & { count?: number };
  tokenBucket?: { perSecond: number; burst?: number; shape?: RateLimitShape };
}

export interface TooManyRequestsInfo {
  shape: RateLimitShape;
  /** Seconds until a retry may succeed. */
  resetSeconds: number;
  /** The steady limit, when a token bucket refused the request. */
  quotaPerSecond?: number;
}

/** How a provider answers the faults: its 429 and 5xx shapes. */
export interface FaultResponses {
  tooManyRequests(res: Response, info: TooManyRequestsInfo): void;
  serverError(res: Response, status: number): void;
}

export class FaultPlanError extends Error {}

// ---------------------------------------------------------------------------------------------
// Parsing

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function fail(message: string): never {
  throw new FaultPlanError(message);
}

function onlyKeys(value: Json, allowed: readonly string[], where: string): void {
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length) fail(`${where}: unknown key(s) ${unknown.join(', ')}`);
}

function positiveInteger(value: unknown, where: string): number {
  if (!Number.isInteger(value) || (value as number) < 1) fail(`${where} must be a positive integer`);
  return value as number;
}

function nonNegative(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(`${where} must be a number >= 0`);
  return value;
}

function shape(value: unknown, where: string): RateLimitShape | undefined {
  if (value === undefined) return undefined;
  if (!RATE_LIMIT_SHAPES.includes(value as RateLimitShape)) fail(`${where} must be one of ${RATE_LIMIT_SHAPES.join(', ')}`);
  return value as RateLimitShape;
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value !== undefined && typeof value !== 'string') fail(`${where} must be a string`);
  return value;
}

function match(value: Json, where: string): RequestMatch {
  return { method: optionalString(value.method, `${where}.method`), path: optionalString(value.path, `${where}.path`) };
}

function section(plan: Json, key: string, allowed: readonly string[]): Json | undefined {
  const value = plan[key];
  if (value === undefined) return undefined;
  if (!isObject(value)) fail(`${key} must be an object`);
  onlyKeys(value, allowed, key);
  return value;
}

function latency(value: unknown): FaultPlan['latencyMs'] {
  if (value === undefined || typeof value === 'number') return value === undefined ? undefined : nonNegative(value, 'latencyMs');
  if (!isObject(value)) fail('latencyMs must be a number or { min, max }');
  onlyKeys(value, ['min', 'max'], 'latencyMs');
  const min = nonNegative(value.min, 'latencyMs.min');
  const max = nonNegative(value.max, 'latencyMs.max');
  if (max < min) fail('latencyMs.max must be >= latencyMs.min');
  return { min, max };
}

/** Validates a fault plan received as JSON. Throws `FaultPlanError` with a readable message. */
export function parseFaultPlan(input: unknown): FaultPlan {
  if (!isObject(input)) fail('the fault plan must be a JSON object');
  onlyKeys(input, ['latencyMs', 'rateLimit', 'serverErrors', 'dropAfterCommit', 'tokenBucket'], 'fault plan');
  const plan: FaultPlan = {};
  if (input.latencyMs !== undefined) plan.latencyMs = latency(input.latencyMs);
  const rateLimit = section(input, 'rateLimit', ['count', 'shape', 'method', 'path']);
  if (rateLimit) {
    plan.rateLimit = { ...match(rateLimit, 'rateLimit'), count: positiveInteger(rateLimit.count, 'rateLimit.count'), shape: shape(rateLimit.shape, 'rateLimit.shape') };
  }
  const serverErrors = section(input, 'serverErrors', ['count', 'status', 'method', 'path']);
  if (serverErrors) {
    const status = serverErrors.status === undefined ? undefined : positiveInteger(serverErrors.status, 'serverErrors.status');
    if (status !== undefined && (status < 500 || status > 599)) fail('serverErrors.status must be a 5xx status');
    plan.serverErrors = { ...match(serverErrors, 'serverErrors'), count: positiveInteger(serverErrors.count, 'serverErrors.count'), status };
  }
  const drop = section(input, 'dropAfterCommit', ['count', 'method', 'path']);
  if (drop) {
    plan.dropAfterCommit = { ...match(drop, 'dropAfterCommit'), count: drop.count === undefined ? 1 : positiveInteger(drop.count, 'dropAfterCommit.count') };
  }
  const bucket = section(input, 'tokenBucket', ['perSecond', 'burst', 'shape']);
  if (bucket) {
    plan.tokenBucket = {
      perSecond: positiveInteger(bucket.perSecond, 'tokenBucket.perSecond'),
      burst: bucket.burst === undefined ? undefined : positiveInteger(bucket.burst, 'tokenBucket.burst'),
      shape: shape(bucket.shape, 'tokenBucket.shape'),
    };
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Injection

/** A rule's `path`, `*` matching any run of characters. */
function pathPattern(path: string): RegExp {
  return new RegExp(`^${path.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function drawLatency(latencyMs: FaultPlan['latencyMs']): number {
  if (latencyMs === undefined) return 0;
  if (typeof latencyMs === 'number') return latencyMs;
  return latencyMs.min + Math.random() * (latencyMs.max - latencyMs.min);
}

/** Holds the active fault plan and applies it to requests. */
export class FaultInjector {
  #plan: FaultPlan = {};
  /** Built when the plan is set, not at each request: the token bucket's state and the rules' path patterns. */
  #bucket: TokenBucket | undefined;
  #paths = new Map<string, RegExp>();

  /** @param initial The plan an emulator starts with and returns to on reset (e.g. a steady rate limit). */
  constructor(private readonly initial: FaultPlan = {}) {
    this.restoreInitial();
  }

  /** The active plan, with the counts that remain. */
  get plan(): FaultPlan {
    return structuredClone(this.#plan);
  }

  /** Replaces the keys the plan names, keeps the others. */
  set(plan: FaultPlan): void {
    this.#plan = { ...this.#plan, ...structuredClone(plan) };
    if (plan.tokenBucket) this.#bucket = new TokenBucket(plan.tokenBucket.perSecond, plan.tokenBucket.burst);
    const paths = [this.#plan.rateLimit, this.#plan.serverErrors, this.#plan.dropAfterCommit].flatMap((rule) => (rule?.path ? [rule.path] : []));
    this.#paths = new Map(paths.map((path) => [path, this.#paths.get(path) ?? pathPattern(path)]));
  }

  clear(): void {
    this.#plan = {};
    this.#bucket = undefined;
    this.#paths.clear();
  }

  restoreInitial(): void {
    this.clear();
    this.set(this.initial);
  }

  /** Express middleware applying the plan, answering faults with the provider's shapes. */
  middleware(responses: FaultResponses): RequestHandler {
    return (req, res, next) => {
      const delay = drawLatency(this.#plan.latencyMs);
      if (delay <= 0) return this.#apply(req, res, next, responses);
      // unref: a pending delay must not keep the process alive once the emulator is closed
      setTimeout(() => this.#apply(req, res, next, responses), delay).unref();
    };
  }

  #apply(req: Request, res: Response, next: NextFunction, responses: FaultResponses): void {
    // #bucket is set exactly when the plan has a tokenBucket.
    if (this.#bucket && !this.#bucket.take()) {
      const { shape, perSecond } = this.#plan.tokenBucket!;
      return responses.tooManyRequests(res, { shape: shape ?? 'bare', resetSeconds: this.#bucket.secondsUntilNextToken(), quotaPerSecond: perSecond });
    }
    const rateLimit = this.#plan.rateLimit;
    if (rateLimit && this.#matches(rateLimit, req) && this.#consume('rateLimit')) {
      return responses.tooManyRequests(res, { shape: rateLimit.shape ?? 'bare', resetSeconds: 1 });
    }
    const serverErrors = this.#plan.serverErrors;
    if (serverErrors && this.#matches(serverErrors, req) && this.#consume('serverErrors')) {
      return responses.serverError(res, serverErrors.status ?? 503);
    }
    const drop = this.#plan.dropAfterCommit;
    if (drop && this.#matches(drop, req)) this.#dropOnSuccess(res);
    next();
  }

  #matches(rule: RequestMatch, req: Request): boolean {
    if (rule.method && rule.method.toUpperCase() !== req.method) return false;
    return !rule.path || this.#paths.get(rule.path)!.test(req.path);
  }

  /** Takes one from a counted fault; removes the fault when it is used up. */
  #consume(key: 'rateLimit' | 'serverErrors' | 'dropAfterCommit'): boolean {
    const fault = this.#plan[key];
    if (!fault || (fault.count ?? 1) < 1) return false;
    fault.count = (fault.count ?? 1) - 1;
    if (fault.count === 0) delete this.#plan[key];
    return true;
  }

  /**
   * Lets the handler commit its change, then destroys the connection instead of answering, if the
   * answer is a success and the fault is still armed (a failed request would not lose a resource).
   */
  #dropOnSuccess(res: Response): void {
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      if (res.statusCode < 400 && this.#consume('dropAfterCommit')) {
        res.socket?.destroy();
        return res;
      }
      return end(...args);
    }) as Response['end'];
  }
}
