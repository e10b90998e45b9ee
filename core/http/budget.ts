import pLimit, { type LimitFunction } from 'p-limit';

export interface BudgetSettings {
  /** Sustained requests per second. */
  requestsPerSecond: number;
  /** Requests that may start at once after a quiet period. */
  burst: number;
  /** Requests in flight at once. */
  concurrency: number;
}

/**
 * A provider account's request budget: a token bucket for the rate and a limit on requests in flight.
 * Callers wait for their turn; nothing is refused here. One budget per account, shared by every client
 * and job of the process, so that parallel jobs on one account do not add up past its limit.
 */
export class RequestBudget {
  private tokens: number;
  private last = performance.now();
  /** No request starts before this (performance.now() time): the provider said to slow down. */
  private blockedUntil = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly limit: LimitFunction;

  constructor(public settings: BudgetSettings) {
    this.tokens = settings.burst;
    this.limit = pLimit(Math.max(1, settings.concurrency));
  }

  /** New settings for the same account: its tokens, hold-off and waiting requests stay. */
  configure(settings: BudgetSettings): void {
    this.settings = settings;
    this.limit.concurrency = Math.max(1, settings.concurrency);
  }

  /** Runs `task` once a token and a concurrency slot are free. */
  run<T>(task: () => Promise<T>): Promise<T> {
    return this.limit(async () => {
      await this.take();
      return task();
    });
  }

  /**
   * The provider rate-limited us: every request of the account waits, not only the one that got the 429,
   * so that parallel jobs do not keep hammering it.
   */
  holdOff(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, performance.now() + ms);
  }

  /** Tokens are handed out in arrival order, one at a time. */
  private take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async waitForToken(): Promise<void> {
    const blocked = this.blockedUntil - performance.now();
    if (blocked > 0) await new Promise((resolve) => setTimeout(resolve, blocked));
    const { requestsPerSecond, burst } = this.settings;
    if (requestsPerSecond <= 0) return;
    for (;;) {
      const now = performance.now();
      this.tokens = Math.min(burst, this.tokens + ((now - this.last) / 1000) * requestsPerSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, ((1 - this.tokens) / requestsPerSecond) * 1000));
    }
  }
}

/**
 * Budgets by account key (the credential: every client of one account shares one budget, whichever service
 * provider uses it). Per process: each instance of the server has its own.
 */
export class BudgetRegistry {
  private readonly budgets = new Map<string, RequestBudget>();

  /** The settings last asked for apply (an edited provider, or two providers on one account disagreeing). */
  get(account: string, settings: BudgetSettings): RequestBudget {
    const existing = this.budgets.get(account);
    if (existing) {
      existing.configure(settings);
      return existing;
    }
    const budget = new RequestBudget(settings);
    this.budgets.set(account, budget);
    return budget;
  }
}
