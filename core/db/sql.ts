import type { DataSource } from 'typeorm';
import { dialectOf } from './data-source.js';

/**
 * Runs hand-written SQL on either database: `?` placeholders become `$1, $2, ...` on PostgreSQL, and the
 * answer is the same shape on both (rows returned, rows changed).
 */
export async function sql<T = Record<string, unknown>>(
  data: DataSource,
  text: string,
  params: unknown[] = [],
): Promise<{ rows: T[]; affected: number }> {
  let index = 0;
  const query = dialectOf(data) === 'postgres' ? text.replace(/\?/g, () => `$${++index}`) : text;
  const runner = data.createQueryRunner();
  try {
    const result = await runner.query(query, params, true);
    return { rows: (result.records ?? []) as T[], affected: result.affected ?? 0 };
  } finally {
    await runner.release();
  }
}

/** A unique constraint refused the write (both drivers' codes). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string } };
  const code = e?.driverError?.code ?? e?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
