import { expect } from 'vitest';
import { Job } from '../../core/jobs/job.entity.js';
import { until } from '../support/worker.js';
import type { Dialect } from '../support/runtime.js';
import { scalewayWorld, type ScalewayWorld } from '../support/scaleway.js';
import { client, type Client } from '../sandbox/http.js';

/** A world whose provider fields are populated, and the public Ubuntu image servers are created from. */
export async function populatedWorld(dialect: Dialect, options: Parameters<typeof scalewayWorld>[1] = {}): Promise<{ world: ScalewayWorld; ubuntu: { id: string } }> {
  const world = await scalewayWorld(dialect, options);
  expect((await world.run('ServiceProvider', world.providerId, 'populateProviderFields')).status).toBe('succeeded');
  const [ubuntu] = await world.list('ServerImage', '&label=ubuntu_noble&arch=x86_64');
  return { world, ubuntu };
}

/** A short random suffix, for names unique within a test world. */
export const suffix = (): string => Math.random().toString(36).slice(2, 8);

/** Scaleway itself, as another user of the account would change it behind our back. */
export const scalewayDirect = (world: ScalewayWorld): Client => client(world.scw.url, 'scw-secret-key');

/**
 * Runs an action that must be refused before any call that changes something at Scaleway (reads are
 * allowed: some checks ask Scaleway first). Returns the job, or the refusal when the action was not
 * applicable at all.
 */
export async function refusedBeforeCalling(world: ScalewayWorld, ...run: Parameters<ScalewayWorld['run']>): Promise<any> {
  const mark = world.scw.journal.mark();
  const job = await world.run(...run);
  expect(['failed', 'refused'], JSON.stringify(job)).toContain(job.status);
  expect(world.scw.journal.mutations(mark), 'requests that change something at Scaleway').toEqual([]);
  return job;
}

/** Runs an action as a dry run: it must succeed, list its calls, and send none of them. */
export async function dryRun(world: ScalewayWorld, entity: string, id: string | null, action: string, params: Record<string, unknown> = {}): Promise<any> {
  const mark = world.scw.journal.mark();
  const job = await world.run(entity, id, action, params, '&dryRun=true');
  expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
  expect(job.value.dryRun).toBe(true);
  expect(job.message).toMatch(/^Dry run: .*nothing was (sent|changed)/);
  expect(world.scw.journal.mutations(mark)).toEqual([]);
  return job;
}

/** The refusal of an action that does not apply to a record: 409 with the reason. */
export function expectNotApplicable(job: any, reason: string): void {
  expect(job).toMatchObject({ status: 'refused', httpStatus: 409, error: { code: 'not_applicable' } });
  expect(job.error.message).toContain(reason);
}

/**
 * Runs an action as its job's second attempt: the job is queued, its first attempt starts and does what
 * `firstAttempt` does (calls at Scaleway, history rows...), then its worker stops before the end; the
 * worker claims the job again, as `resumed`. Returns the job once it has ended.
 */
export async function resumedRun(
  world: ScalewayWorld,
  target: { entity: string; recordId: string; action: string; params?: Record<string, unknown> },
  firstAttempt: (jobId: string) => Promise<void>,
): Promise<Job> {
  const worker = world.runtime.worker!;
  await worker.stop();
  let jobId: string;
  try {
    const [job] = await world.runtime.runner.invoke({ ...target, params: target.params ?? {}, actor: { kind: 'cli', id: 'test', name: 'test', role: 'admin' } });
    jobId = job.id;
    await world.runtime.data.getRepository(Job).update(job.id, { attempts: 1, startedAt: new Date() });
    await firstAttempt(job.id);
  } finally {
    worker.start();
  }
  return until('the resumed job to end', async () => {
    const job = await world.runtime.queue.get(jobId);
    return ['succeeded', 'failed', 'cancelled'].includes(job.status) ? job : undefined;
  });
}
