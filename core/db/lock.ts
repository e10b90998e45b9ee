import type { DataSource } from 'typeorm';
import { dialectOf } from './data-source.js';

const held = new Map<number, Promise<unknown>>();

/**
 * Runs `work` while no other holder of the same lock runs, in this process and, on PostgreSQL, in every
 * process sharing the database (a session advisory lock, held on its own connection while `work` commits
 * its writes on others). For a check and the write it guards, such as "an enabled admin remains".
 * SQLite is one machine's database: the in-process queue is enough.
 */
export async function exclusively<T>(data: DataSource, lock: number, work: () => Promise<T>): Promise<T> {
  const before = held.get(lock) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(() => acrossProcesses(data, lock, work));
  held.set(lock, mine);
  try {
    return await mine;
  } finally {
    if (held.get(lock) === mine) held.delete(lock);
  }
}

async function acrossProcesses<T>(data: DataSource, lock: number, work: () => Promise<T>): Promise<T> {
  if (dialectOf(data) !== 'postgres') return work();
  const runner = data.createQueryRunner();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [lock]);
    try {
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [lock]);
    }
  } finally {
    await runner.release();
  }
}
