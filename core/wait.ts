import { MvError } from './errors.js';

export interface WaitOptions<T> {
  /** What we are waiting for, for messages: "server web-1 to be running". */
  what: string;
  /** Reached the goal. */
  done: (value: T) => boolean;
  /**
   * Reached a state from which the goal cannot come: returns why, and the wait stops at once instead of
   * running into the timeout (a server that falls back to `stopped` while we wait for `running`).
   */
  failed?: (value: T, elapsedMs: number) => string | undefined;
  timeoutMs: number;
  /** First poll interval; grows by half each poll up to `maxIntervalMs`. */
  intervalMs?: number;
  maxIntervalMs?: number;
  signal?: AbortSignal;
  onPoll?: (value: T, elapsedMs: number) => void | Promise<void>;
}

/** Default poll pace; tests and the sandbox shorten it through MV_POLL_INTERVAL_MS. */
export function defaultPollIntervalMs(): number {
  const fromEnv = Number(process.env.MV_POLL_INTERVAL_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 2_000;
}

/** Polls `get` until `done`, fails fast on `failed`, and gives up after `timeoutMs`. */
export async function waitFor<T>(get: () => Promise<T>, options: WaitOptions<T>): Promise<T> {
  const started = Date.now();
  let interval = options.intervalMs ?? defaultPollIntervalMs();
  const maxInterval = options.maxIntervalMs ?? Math.max(interval, 10_000);
  for (;;) {
    if (options.signal?.aborted) throw new MvError('cancelled', `Cancelled while waiting for ${options.what}`);
    const value = await get();
    const elapsed = Date.now() - started;
    await options.onPoll?.(value, elapsed);
    if (options.done(value)) return value;
    const reason = options.failed?.(value, elapsed);
    if (reason) throw new MvError('precondition_failed', `Stopped waiting for ${options.what}: ${reason}`);
    if (elapsed + interval > options.timeoutMs) {
      throw new MvError('timeout', `Gave up waiting for ${options.what} after ${Math.round(elapsed / 1000)} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
    interval = Math.min(maxInterval, Math.round(interval * 1.5));
  }
}
