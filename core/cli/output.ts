import { isMvError } from '../errors.js';
import type { JobView } from '../jobs/job-view.js';

/** Exit codes: 0 done, 1 the action (or the command) failed, 2 the command was wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export class UsageError extends Error {}

export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (isMvError(error) && ['invalid_request', 'validation_failed', 'not_found', 'not_applicable', 'forbidden'].includes(error.code)) return EXIT.usage;
  return EXIT.failed;
}

export function describeError(error: unknown): string {
  if (error instanceof UsageError) return error.message;
  if (isMvError(error)) return error.message;
  return `Unexpected error: ${(error as Error)?.message ?? String(error)}`;
}

/** A progress bar on a terminal; one line per step otherwise (logs, CI). */
export class ProgressPrinter {
  private printed = 0;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(job: JobView): void {
    const steps = job.steps.slice(this.printed);
    this.printed = job.steps.length;
    if (this.stream.isTTY) {
      const last = job.steps.at(-1);
      const width = 30;
      const filled = Math.round((job.percent / 100) * width);
      this.stream.write(`\r\x1b[K[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(job.percent).padStart(3)}% ${last?.message ?? ''}`.slice(0, (this.stream.columns || 120) - 1));
    } else {
      for (const step of steps) this.stream.write(`${String(step.percent).padStart(3)}% ${step.message}\n`);
    }
  }

  done(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}

export function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n');
}
