/**
 * Timed state changes of an emulator (a server booting, a volume being created), evaluated
 * lazily: a step runs on the first `advance()` after it is due, never from a timer. Emulators call
 * `advance()` before answering a request, so what a client sees depends only on the time of its
 * request, and nothing keeps the process alive after the emulator is closed.
 */

export interface TimelineStep {
  /** Delay after scheduling, in milliseconds. */
  afterMs: number;
  /** Applies the change; `at` is the time the step was due (epoch ms), for timestamps. */
  run(at: number): void;
}

interface PendingStep {
  at: number;
  order: number;
  key: string;
  run(at: number): void;
}

export class Timeline {
  #pending: PendingStep[] = [];
  #order = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Schedules steps under a key (e.g. `server:<id>:power`), replacing what the key still had pending. */
  schedule(key: string, steps: readonly TimelineStep[]): void {
    this.cancel(key);
    const start = this.now();
    for (const step of steps) {
      this.#pending.push({ at: start + step.afterMs, order: this.#order++, key, run: step.run });
    }
  }

  cancel(key: string): void {
    this.#pending = this.#pending.filter((step) => step.key !== key);
  }

  isPending(key: string): boolean {
    return this.#pending.some((step) => step.key === key);
  }

  /** Runs every step that is due, oldest first. Steps may schedule further steps. */
  advance(): void {
    const now = this.now();
    const due = this.#pending.filter((step) => step.at <= now);
    if (due.length === 0) return;
    this.#pending = this.#pending.filter((step) => step.at > now);
    due.sort((a, b) => a.at - b.at || a.order - b.order);
    for (const step of due) step.run(step.at);
  }

  clear(): void {
    this.#pending = [];
  }
}
