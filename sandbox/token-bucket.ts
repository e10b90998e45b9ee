/**
 * A token bucket refilled lazily from the clock: `perSecond` tokens a second, at most `capacity`
 * in reserve. Each request takes one token; an empty bucket means "rate limited".
 */
export class TokenBucket {
  #tokens: number;
  #refilledAt: number;

  constructor(
    readonly perSecond: number,
    readonly capacity: number = perSecond,
    private readonly now: () => number = Date.now,
  ) {
    this.#tokens = capacity;
    this.#refilledAt = now();
  }

  /** Takes a token if one is available. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Seconds until the next token, rounded up to a whole second (at least 1). */
  secondsUntilNextToken(): number {
    this.#refill();
    return Math.max(1, Math.ceil((1 - this.#tokens) / this.perSecond));
  }

  #refill(): void {
    const now = this.now();
    this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#refilledAt) / 1000) * this.perSecond);
    this.#refilledAt = now;
  }
}
