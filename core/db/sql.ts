import type { DataSource } from 'typeorm';
import { dialectOf } from './data-source.js';

/** `?` placeholders as the database wants them: `$1, $2, ...` on PostgreSQL, unchanged on SQLite. */
export function placeholders(data: DataSource, text: string): string {
  let index = 0;
  return dialectOf(data) === 'postgres' ? text.replace(/\?/g, () => `$${++index}`) : text;
}

/**
 * Runs hand-written SQL on either database: `?` placeholders (see above), and the answer is the same shape
 * on both (rows returned, rows changed).
 */
export async function sql<T = Record<string, unknown>>(
  data: DataSource,
  text: string,
  params: unknown[] = [],
): Promise<{ rows: T[]; affected: number }> {
  const runner = data.createQueryRunner();
  try {
    const result = await runner.query(placeholders(data, text), params, true);
    return { rows: (result.records ?? []) as T[], affected: result.affected ?? 0 };
  } finally {
    await runner.release();
  }
}

/**
 * The database's clock in epoch milliseconds, as an SQL expression: leases are taken, renewed and found
 * expired by this one clock, whichever machine runs the worker.
 */
export function nowMs(data: DataSource): string {
  return dialectOf(data) === 'postgres'
    ? `CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS bigint)`
    : `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`;
}

function driverCode(error: unknown): string | undefined {
  const e = error as { code?: string; driverError?: { code?: string } };
  return e?.driverError?.code ?? e?.code;
}

/** A unique constraint refused the write (both drivers' codes). */
export function isUniqueViolation(error: unknown): boolean {
  const code = driverCode(error);
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** A foreign key refused the write: the row is still referenced (both drivers' codes). */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = driverCode(error);
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
