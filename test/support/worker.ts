import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TestDatabase } from './runtime.js';

const WORKER = path.resolve(import.meta.dirname, '../../dist/test/support/worker-process.js');

/** A job worker in its own process (compiled by `pretest`), ready when this resolves; kill it to crash it. */
export function startWorkerProcess(db: TestDatabase, modules: 'widgets' | 'bundled'): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [db.dataDir, db.schema ?? '', modules], { stdio: 'inherit' });
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker process exited with ${code}`)));
  });
}

/** Polls `check` until it returns something, or fails after `ms`. */
export async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
