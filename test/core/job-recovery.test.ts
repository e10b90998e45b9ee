import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../core/runtime.js';
import { Job } from '../../core/jobs/job.entity.js';
import { jobView } from '../../core/jobs/job-view.js';
import { DIALECTS, startRuntime, testDatabase, type TestDatabase } from '../support/runtime.js';
import { modulesWithWidgets } from '../support/widgets.js';
import { startWorkerProcess, until } from '../support/worker.js';
import { Widget } from '../fixtures/modules/widgets/module.js';

const operator = { kind: 'token', id: 't', name: 'test', role: 'operator' } as const;

describe.each(DIALECTS)('jobs across processes on %s', (dialect) => {
  let db: TestDatabase;
  const runtimes: Runtime[] = [];
  let child: ChildProcess | undefined;
  afterEach(async () => {
    child?.kill('SIGKILL');
    await Promise.all(runtimes.splice(0).map((r) => r.close()));
    await db.drop();
  });

  it('resumes a job whose worker process was killed, without running it twice at once', async () => {
    db = await testDatabase(dialect);
    const control = await startRuntime(db, { modules: await modulesWithWidgets() });
    runtimes.push(control);
    const widget = await control.data.getRepository(Widget).save({ name: 'phoenix' });
    child = await startWorkerProcess(db, 'widgets');
    const [job] = await control.runner.invoke({ entity: 'Widget', action: 'build', recordId: widget.id, params: { steps: 20, delayMs: 100 }, actor: operator });
    await until('the job to make progress in the other process', async () => {
      const current = await control.queue.get(job.id);
      return current.status === 'running' && current.percent > 0 ? current : undefined;
    });
    child.kill('SIGKILL');
    child = undefined;
    const killedAt = await control.queue.get(job.id);
    expect(killedAt.status).toBe('running');

    // A new worker (the restarted service) takes it over once the dead one's lease has run out.
    const successor = await startRuntime(db, { modules: await modulesWithWidgets(), worker: true, config: { jobLeaseMs: 1_000 } });
    runtimes.push(successor);
    const done = await until('the job to finish', async () => {
      const current = await control.queue.get(job.id);
      return current.status === 'succeeded' || current.status === 'failed' ? current : undefined;
    });
    const view = jobView(done);
    expect(view).toMatchObject({ status: 'succeeded', attempts: 2, value: { steps: 20, resumed: true } });
    const messages = view.steps.map((s) => s.message);
    expect(messages).toContain('Re-queued: its worker stopped before the end');
    expect(messages).toContain('Resumed after its worker stopped (attempt 2)');
    expect(await control.data.getRepository(Widget).findOneByOrFail({ id: widget.id })).toMatchObject({ state: 'built', builds: 1 });
  });

  it.runIf(dialect === 'postgres')('shares one queue between two workers: every job runs once, one per record at a time', async () => {
    db = await testDatabase(dialect);
    const modules = await modulesWithWidgets();
    const control = await startRuntime(db, { modules });
    runtimes.push(control);
    // Each worker takes 3 jobs at a time and each job lasts a second: the 6 first jobs need both workers.
    const [a, b] = [
      await startRuntime(db, { modules, worker: true, config: { workerConcurrency: 3 } }),
      await startRuntime(db, { modules, worker: true, config: { workerConcurrency: 3 } }),
    ];
    runtimes.push(a, b);
    const widgets = await control.data.getRepository(Widget).save(Array.from({ length: 6 }, (_, i) => ({ name: `w${i}` })));
    const jobs: Job[] = [];
    for (const w of widgets) {
      jobs.push(...(await control.runner.invoke({ entity: 'Widget', action: 'build', recordId: w.id, params: { steps: 2, delayMs: 500 }, actor: operator })));
      jobs.push(...(await control.runner.invoke({ entity: 'Widget', action: 'break', recordId: w.id, actor: operator })));
    }
    const ended = await until('all jobs to end', async () => {
      const all = await Promise.all(jobs.map((j) => control.queue.get(j.id)));
      return all.every((j) => j.status === 'succeeded' || j.status === 'failed') ? all : undefined;
    });
    expect(ended.map((j) => j.attempts)).toEqual(jobs.map(() => 1));
    // Both workers took part (a lease owner is the worker's id and a token of the claim).
    expect(new Set(ended.map((j) => j.leaseOwner!.split('#')[0]))).toEqual(new Set([a.worker!.id, b.worker!.id]));
    // On each record, the second job started only after the first ended.
    for (const w of widgets) {
      const mine = ended.filter((j) => j.recordId === w.id);
      const [build, breaking] = ['build', 'break'].map((action) => mine.find((j) => j.action === action)!);
      expect(breaking.startedAt!.getTime()).toBeGreaterThanOrEqual(build.finishedAt!.getTime());
    }
    expect(await control.data.getRepository(Widget).countBy({ builds: 1 })).toBe(6);
  });
});
