import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineAction } from '../../core/action.js';
import { LeaseLost } from '../../core/jobs/job-queue.js';
import type { Job } from '../../core/jobs/job.entity.js';
import { param } from '../../core/params.js';
import type { LoadedModule } from '../../core/registry.js';
import type { Runtime } from '../../core/runtime.js';
import { DIALECTS, startRuntime, testDatabase, type Dialect, type StartOptions, type TestDatabase } from '../support/runtime.js';
import { capturedLogger } from '../support/log.js';
import { modulesWithWidgets } from '../support/widgets.js';
import { until } from '../support/worker.js';
import { Widget } from '../fixtures/modules/widgets/module.js';

const operator = { kind: 'token', id: 't', name: 'test', role: 'operator' } as const;

/** Reports its steps all at once, as actions working on several zones in parallel do. */
const parallel = defineAction({
  code: 'parallel',
  label: 'Parallel steps',
  entity: Widget,
  kind: 'instance',
  async handler(ctx) {
    await Promise.all(Array.from({ length: 20 }, (_, i) => ctx.progress(i * 5, `Zone ${i + 1}`)));
    return { message: 'done' };
  },
});

/** A list action locking one group of widgets, not the whole entity. */
const sweep = defineAction({
  code: 'sweep',
  label: 'Sweep a group',
  entity: Widget,
  kind: 'list',
  params: { group: param.string({ required: true }) },
  lockKey: (params) => params.group,
  async handler(ctx) {
    return { message: `swept ${ctx.params.group}` };
  },
});

/** A trigger making the database refuse lease renewals (an UPDATE of the lease of a job still running). */
async function refuseRenewals(runtime: Runtime, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') {
    await runtime.data.query(
      `CREATE TRIGGER "refuse_renewal" BEFORE UPDATE OF "leaseExpiresAt" ON "mv_job" WHEN OLD."status" = 'running' AND NEW."status" = 'running'
       BEGIN SELECT RAISE(ABORT, 'renewals refused'); END`,
    );
    return;
  }
  await runtime.data.query(`CREATE FUNCTION refuse_renewal() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'renewals refused'; END $$`);
  await runtime.data.query(
    `CREATE TRIGGER "refuse_renewal" BEFORE UPDATE OF "leaseExpiresAt" ON "mv_job" FOR EACH ROW
     WHEN (OLD."status" = 'running' AND NEW."status" = 'running') EXECUTE FUNCTION refuse_renewal()`,
  );
}

async function acceptRenewals(runtime: Runtime, dialect: Dialect): Promise<void> {
  await runtime.data.query(dialect === 'sqlite' ? 'DROP TRIGGER "refuse_renewal"' : 'DROP TRIGGER "refuse_renewal" ON "mv_job"');
}

/** The widgets' test module with the actions above. */
async function modules(): Promise<LoadedModule[]> {
  const all = await modulesWithWidgets();
  const widgets = all.at(-1)!;
  return [...all.slice(0, -1), { ...widgets, definition: { ...widgets.definition, actions: [...widgets.definition.actions, parallel, sweep] } }];
}

describe.each(DIALECTS)('job queue and worker on %s', (dialect) => {
  let db: TestDatabase;
  let runtime: Runtime;
  const start = async (options: StartOptions = {}) => (runtime = await startRuntime(db, { modules: await modules(), ...options }));
  const newWidget = (name: string) => runtime.data.getRepository(Widget).save({ name });
  const build = async (widget: Widget, params: Record<string, unknown> = {}) =>
    (await runtime.runner.invoke({ entity: 'Widget', action: 'build', recordId: widget.id, params, actor: operator }))[0];
  const ended = (id: string) =>
    until(`job ${id} to end`, async () => {
      const job = await runtime.queue.get(id);
      return ['succeeded', 'failed', 'cancelled'].includes(job.status) ? job : undefined;
    });
  const messages = (job: Job) => job.steps.map((s) => s.message);

  afterEach(async () => {
    vi.restoreAllMocks();
    await runtime?.close();
    await db.drop();
  });

  it('gives each claim its own lease: an earlier claim, or a job that ended, cannot be written any more', async () => {
    db = await testDatabase(dialect);
    await start();
    const job = await build(await newWidget('twice'));
    const first = (await runtime.queue.claim('w', 60_000))!;
    await runtime.queue.release(first, 'test');
    const second = (await runtime.queue.claim('w', 60_000))!;
    expect(second.id).toBe(job.id);
    expect(second.leaseOwner).not.toBe(first.leaseOwner);
    expect(second.leaseOwner).toMatch(/^w#/);
    await expect(runtime.queue.progress(first, 50, 'from the first claim')).rejects.toBeInstanceOf(LeaseLost);
    await expect(runtime.queue.renew(first, 60_000)).resolves.toMatchObject({ owned: false });
    await runtime.queue.finish(second, { status: 'succeeded', message: 'ok' });
    await expect(runtime.queue.progress(second, 50, 'after the end')).rejects.toBeInstanceOf(LeaseLost);
    expect(messages(await runtime.queue.get(job.id)).at(-1)).toBe('Succeeded');
  });

  it('stops a job whose lease the database would not renew before it runs out, then resumes it', async () => {
    db = await testDatabase(dialect);
    const log = capturedLogger('info');
    await start({ worker: true, logger: log.logger, config: { jobLeaseMs: 2_000 } });
    // The database itself refuses to extend a running job's lease; claims and other writes still work.
    await refuseRenewals(runtime, dialect);
    const widget = await newWidget('unrenewed');
    const { id } = await build(widget, { steps: 15, delayMs: 200 });
    const lease = await until('the job to be claimed', async () => (await runtime.queue.get(id)).leaseExpiresAt ?? undefined);
    const stopped = await until(
      'the worker to stop the job',
      async () => log.lines().map((l) => JSON.parse(l)).find((l) => l.jobId === id && /lease lost/.test(l.msg)),
      8_000,
    );
    await acceptRenewals(runtime, dialect);
    // Its handler had returned before the lease ran out in the database: no other worker could take it meanwhile.
    expect(Date.parse(stopped.time)).toBeLessThan(lease);
    const job = await ended(id);
    expect(job.status).toBe('succeeded');
    expect(job.attempts).toBeGreaterThanOrEqual(2);
    expect(messages(job)).toContain('Resumed after its worker stopped (attempt 2)');
    expect(await runtime.data.getRepository(Widget).findOneByOrFail({ id: widget.id })).toMatchObject({ state: 'built', builds: 1 });
  });

  it('keeps every step of steps reported at the same time', async () => {
    db = await testDatabase(dialect);
    await start({ worker: true });
    const [queued] = await runtime.runner.invoke({ entity: 'Widget', action: 'parallel', recordId: (await newWidget('zones')).id, actor: operator });
    const job = await ended(queued.id);
    expect(job.status).toBe('succeeded');
    expect(messages(job).filter((m) => m.startsWith('Zone ')).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `Zone ${i + 1}`).sort());
  });

  it('locks a list action by its lockKey instead of the whole entity', async () => {
    db = await testDatabase(dialect);
    await start();
    const run = (action: string, params: Record<string, unknown> = {}) => runtime.runner.invoke({ entity: 'Widget', action, params, actor: operator });
    const [a] = await run('sweep', { group: 'a' });
    const [b] = await run('sweep', { group: 'b' });
    expect([a.recordKey, b.recordKey]).toEqual(['Widget:*:a', 'Widget:*:b']);
    await expect(run('sweep', { group: 'a' })).rejects.toMatchObject({ code: 'conflict', details: { jobId: a.id } });
    // Both run at once; without a lockKey, the entity as a whole is the key, as before.
    expect(new Set([(await runtime.queue.claim('w', 60_000))?.id, (await runtime.queue.claim('w', 60_000))?.id])).toEqual(new Set([a.id, b.id]));
    const [count] = await run('count');
    expect(count.recordKey).toBe('Widget:*');
    await expect(run('count')).rejects.toMatchObject({ code: 'conflict' });
  });

  it('takes jobs queued in the same millisecond in the order they were queued', async () => {
    db = await testDatabase(dialect);
    await start();
    const widgets = await Promise.all(Array.from({ length: 12 }, (_, i) => newWidget(`same-ms-${i}`)));
    // Every job gets the same creation time: only their ids can keep their order.
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-06T12:00:00.000Z') });
    const queued: Job[] = [];
    try {
      for (const widget of widgets) queued.push(await build(widget));
    } finally {
      vi.useRealTimers();
    }
    const stored = await Promise.all(queued.map((job) => runtime.queue.get(job.id)));
    expect(new Set(stored.map((job) => job.createdAt.getTime())).size).toBe(1);
    const claimed: string[] = [];
    for (let job = await runtime.queue.claim('w', 60_000); job; job = await runtime.queue.claim('w', 60_000)) claimed.push(job.id);
    expect(claimed).toEqual(queued.map((job) => job.id));
  });

  it('runs a worker limited to one job, which takes nothing else', async () => {
    db = await testDatabase(dialect);
    await start();
    const other = await build(await newWidget('other'), { steps: 1 });
    const mine = await build(await newWidget('mine'), { steps: 1 });
    runtime.startWorker(mine.id);
    expect((await ended(mine.id)).status).toBe('succeeded');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await runtime.queue.get(other.id)).toMatchObject({ status: 'queued', attempts: 0 });
  });

  it('stops after the job it was claiming: that job goes back to the queue too', async () => {
    db = await testDatabase(dialect);
    await start();
    const job = await build(await newWidget('late'), { steps: 10, delayMs: 100 });
    const claim = runtime.queue.claim.bind(runtime.queue);
    let entered!: () => void;
    let open!: () => void;
    const claiming = new Promise<void>((resolve) => (entered = resolve));
    const gate = new Promise<void>((resolve) => (open = resolve));
    vi.spyOn(runtime.queue, 'claim').mockImplementation(async (...args) => {
      entered();
      await gate;
      return claim(...args);
    });
    const worker = runtime.startWorker();
    await claiming;
    const stopping = worker.stop();
    open();
    await stopping;
    const after = await runtime.queue.get(job.id);
    expect(after.status).toBe('queued');
    expect(messages(after).at(-1)).toBe('Re-queued: the process stopped');
  });

  it('fails a job on a database error while loading its record, instead of calling the record gone', async () => {
    db = await testDatabase(dialect);
    await start();
    const job = await build(await newWidget('moved'));
    await runtime.data.query('ALTER TABLE "test_widget" RENAME TO "test_widget_moved"');
    runtime.startWorker();
    const failed = await ended(job.id);
    await runtime.data.query('ALTER TABLE "test_widget_moved" RENAME TO "test_widget"');
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'internal' });
    expect(failed.error).toMatch(/^Unexpected error: .*test_widget/);
  });

  it('times leases with the database clock, not the clock of the machine that claims', async () => {
    db = await testDatabase(dialect);
    await start();
    const job = await build(await newWidget('clock'));
    // This machine's clock is an hour late: its fresh lease must not look expired to the others.
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() - 3_600_000);
    const claimed = await runtime.queue.claim('late-machine', 30_000);
    vi.mocked(Date.now).mockRestore();
    expect(claimed?.id).toBe(job.id);
    expect(await runtime.queue.requeueExpired()).toBe(0);
    expect(await runtime.queue.get(job.id)).toMatchObject({ status: 'running', leaseOwner: claimed!.leaseOwner });
  });
});
