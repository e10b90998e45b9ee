/** When to try a provider call again, and how long to wait first. One rule per line. */
export interface RetryPolicy {
  /** Attempts after the first one. */
  maxRetries: number;
  /** First backoff; doubles each time. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Up to about a minute of backoff: long enough for a burst of 429s to pass. Tests shorten the base (MV_RETRY_BASE_MS). */
export function defaultRetry(): RetryPolicy {
  const base = Number(process.env.MV_RETRY_BASE_MS);
  return { maxRetries: 8, baseDelayMs: Number.isFinite(base) && base > 0 ? base : 500, maxDelayMs: 8_000 };
}

/** Cloudflare blocks for 5 minutes after a burst: wait that long, no longer. */
const MAX_RETRY_AFTER_MS = 300_000;

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

export interface Outcome {
  method: string;
  /** Undefined when no response came back (network error, timeout). */
  status?: number;
  /** The provider says the resource is busy and the same call will succeed later. */
  transient?: boolean;
  /** The caller knows this call may be repeated safely (e.g. a create that carries an idempotency tag). */
  idempotent?: boolean;
}

export function shouldRetry(outcome: Outcome): boolean {
  const { status, method } = outcome;
  const repeatable = outcome.idempotent ?? IDEMPOTENT.has(method.toUpperCase());
  // Rate limited: the request was refused before it did anything.
  if (status === 429) return true;
  // The provider asked us to come back once the resource leaves its transient state.
  if (outcome.transient) return true;
  // The gateway had no backend for us: nothing was done.
  if (status === 503) return true;
  // Other server errors and lost responses may have done the work: only repeat what is safe to repeat.
  if (status === undefined || status >= 500) return repeatable;
  return false;
}

/**
 * Waits `Retry-After` when the provider sends it (seconds or an HTTP date), otherwise exponential backoff
 * with jitter (between half and all of the step), so that clients throttled together do not come back together.
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, retryAfter?: string | null, now = Date.now()): number {
  const hinted = parseRetryAfter(retryAfter, now);
  if (hinted !== undefined) return Math.min(hinted, MAX_RETRY_AFTER_MS);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
