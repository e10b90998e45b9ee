import { EventEmitter } from 'node:events';
import type { DataSource, Repository } from 'typeorm';
import { MvError } from '../errors.js';
import { isUniqueViolation, sql } from '../db/sql.js';
import type { Actor } from '../roles.js';
import { FINAL_STATUSES, Job, type JobStatus, type JobStep } from './job.entity.js';

export interface NewJob {
  module: string;
  entity: string;
  recordId?: string;
  action: string;
  params: Record<string, unknown>;
  actor: Actor;
  dryRun?: boolean;
}

export interface JobOutcome {
  status: Extract<JobStatus, 'succeeded' | 'failed' | 'cancelled'>;
  message?: string;
  value?: unknown;
  error?: string;
  errorCode?: string;
  errorCause?: string;
  errorDetails?: unknown;
}

export interface JobFilter {
  status?: JobStatus;
  entity?: string;
  recordId?: string;
  action?: string;
  page?: number;
  perPage?: number;
}

/** How many times a job may lose its worker (process killed) before it is failed instead of re-queued. */
const MAX_ATTEMPTS = 5;

/**
 * The persisted queue. Workers claim jobs atomically (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: the
 * single writer), hold them with a lease they renew, and lose them when the lease runs out.
 */
export class JobQueue {
  /**
   * In-process notices: `enqueued`, and `job:<id>` on every change. Other processes poll. The audit log
   * listens to `created` (with the job) and `ended` (with its id).
   */
  readonly events = new EventEmitter().setMaxListeners(0);
  private readonly repo: Repository<Job>;

  constructor(private readonly data: DataSource) {
    this.repo = data.getRepository(Job);
  }

  async enqueue(job: NewJob): Promise<Job> {
    const recordKey = `${job.entity}:${job.recordId ?? '*'}`;
    const entity = this.repo.create({
      module: job.module,
      entity: job.entity,
      recordId: job.recordId ?? null,
      recordKey,
      action: job.action,
      params: job.params,
      status: 'queued',
      percent: 0,
      steps: [{ at: new Date().toISOString(), percent: 0, message: 'Queued' }],
      startedBy: job.actor.name,
      actorId: `${job.actor.kind}:${job.actor.id}`,
      actorRole: job.actor.role,
      dryRun: job.dryRun ?? false,
    });
    try {
      await this.repo.insert(entity as never);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const active = await this.repo.findOne({ where: [{ recordKey, action: job.action, status: 'queued' }, { recordKey, action: job.action, status: 'running' }] });
      throw new MvError(
        'conflict',
        `${job.action} is already ${active?.status ?? 'queued or running'} on this ${job.recordId ? 'record' : 'entity'}${active ? ` (job ${active.id})` : ''}; wait for it to finish or cancel it`,
        active ? { jobId: active.id } : undefined,
      );
    }
    this.events.emit('enqueued');
    const created = await this.get(entity.id);
    this.events.emit('created', created);
    return created;
  }

  async get(id: string): Promise<Job> {
    const job = await this.repo.findOneBy({ id });
    if (!job) throw new MvError('not_found', `No job ${id}`);
    return job;
  }

  async list(filter: JobFilter = {}): Promise<{ jobs: Job[]; total: number }> {
    const perPage = Math.min(Math.max(filter.perPage ?? 50, 1), 500);
    const where = Object.fromEntries(
      Object.entries({ status: filter.status, entity: filter.entity, recordId: filter.recordId, action: filter.action }).filter(([, v]) => v !== undefined),
    );
    const [jobs, total] = await this.repo.findAndCount({
      where,
      order: { createdAt: 'DESC' },
      skip: ((filter.page ?? 1) - 1) * perPage,
      take: perPage,
    });
    return { jobs, total };
  }

  /**
   * Resolves at the job's next change in this process, or after `ms` at most: changes made by other
   * processes are only seen by polling, which the timeout provides.
   */
  nextChange(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const event = `job:${id}`;
      const done = () => {
        clearTimeout(timer);
        this.events.off(event, done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.events.on(event, done);
    });
  }

  /** Takes the oldest queued job whose record has no running job. */
  async claim(worker: string, leaseMs: number): Promise<Job | undefined> {
    const postgres = this.data.options.type === 'postgres';
    let claimed: { id: string }[];
    try {
      ({ rows: claimed } = await sql<{ id: string }>(
        this.data,
        `UPDATE "mv_job" SET "status" = 'running', "leaseOwner" = ?, "leaseExpiresAt" = ?, "attempts" = "attempts" + 1
         WHERE "id" = (
           SELECT j."id" FROM "mv_job" j
           WHERE j."status" = 'queued'
             AND NOT EXISTS (SELECT 1 FROM "mv_job" r WHERE r."status" = 'running' AND r."recordKey" = j."recordKey")
           ORDER BY j."createdAt", j."id" LIMIT 1 ${postgres ? 'FOR UPDATE SKIP LOCKED' : ''}
         ) AND "status" = 'queued'
         RETURNING "id"`,
        [worker, Date.now() + leaseMs],
      ));
    } catch (error) {
      // Another worker started a job on the same record at the same moment: try again later.
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
    if (!claimed.length) return undefined;
    const job = await this.get(claimed[0].id);
    const resumed = job.startedAt !== null;
    await this.update(job, worker, {
      startedAt: job.startedAt ?? new Date(),
      ...(resumed && { steps: [...job.steps, step(job.percent, `Resumed after its worker stopped (attempt ${job.attempts})`)] }),
    });
    return this.get(job.id);
  }

  /** Extends the lease; false when the job is no longer ours (lost lease, or finished elsewhere). */
  async renew(job: Job, worker: string, leaseMs: number): Promise<{ owned: boolean; cancelRequested: boolean }> {
    const { rows } = await sql<{ cancelRequested: boolean | number }>(
      this.data,
      `UPDATE "mv_job" SET "leaseExpiresAt" = ? WHERE "id" = ? AND "leaseOwner" = ? AND "status" = 'running' RETURNING "cancelRequested"`,
      [Date.now() + leaseMs, job.id, worker],
    );
    return { owned: rows.length === 1, cancelRequested: rows.length === 1 && !!rows[0].cancelRequested };
  }

  async progress(job: Job, worker: string, percent: number, message: string): Promise<void> {
    const current = await this.get(job.id);
    const clamped = Math.max(0, Math.min(100, Math.round(percent)));
    await this.update(current, worker, { percent: clamped, steps: [...current.steps, step(clamped, message)] });
  }

  async finish(job: Job, worker: string, outcome: JobOutcome): Promise<void> {
    const current = await this.get(job.id);
    const last = outcome.status === 'succeeded' ? 'Succeeded' : outcome.status === 'cancelled' ? 'Cancelled' : `Failed: ${outcome.error}`;
    await this.update(current, worker, {
      status: outcome.status,
      percent: outcome.status === 'succeeded' ? 100 : current.percent,
      steps: [...current.steps, step(outcome.status === 'succeeded' ? 100 : current.percent, last)],
      message: outcome.message ?? null,
      value: outcome.value ?? null,
      error: outcome.error ?? null,
      errorCode: outcome.errorCode ?? null,
      errorCause: outcome.errorCause ?? null,
      errorDetails: outcome.errorDetails ?? null,
      finishedAt: new Date(),
      // The owner stays, to tell which worker ran it; without an expiry it holds nothing.
      leaseExpiresAt: null,
    });
    this.events.emit('ended', job.id);
  }

  /** Gives a running job back to the queue (graceful shutdown): another worker resumes it. */
  async release(job: Job, worker: string, why: string): Promise<void> {
    const current = await this.get(job.id);
    await this.update(current, worker, {
      status: 'queued',
      leaseOwner: null,
      leaseExpiresAt: null,
      steps: [...current.steps, step(current.percent, `Re-queued: ${why}`)],
    });
    this.events.emit('enqueued');
  }

  /** Queued jobs end at once; running ones are asked to stop and end when their handler returns. */
  async cancel(id: string, by: Actor): Promise<Job> {
    const job = await this.get(id);
    if ((FINAL_STATUSES as string[]).includes(job.status)) throw new MvError('conflict', `Job ${id} already ${job.status}`);
    if (job.status === 'queued') {
      const { affected } = await sql(this.data, `UPDATE "mv_job" SET "status" = 'cancelled' WHERE "id" = ? AND "status" = 'queued'`, [id]);
      if (affected === 1) {
        await this.repo.update({ id }, { steps: [...job.steps, step(job.percent, `Cancelled by ${by.name}`)], finishedAt: new Date() });
        this.events.emit(`job:${id}`);
        this.events.emit('ended', id);
        return this.get(id);
      }
      return this.cancel(id, by); // it started meanwhile
    }
    // Only the flag: the worker owns the steps of a running job, and records the end.
    await this.repo.update({ id, status: 'running' }, { cancelRequested: true });
    this.events.emit(`job:${id}`);
    this.events.emit('cancel', id);
    return this.get(id);
  }

  /**
   * Jobs whose worker stopped renewing (process killed, machine lost) go back to the queue, to be resumed
   * by whichever worker claims them; after too many losses they fail instead.
   */
  async requeueExpired(): Promise<number> {
    const expired = await this.repo
      .createQueryBuilder('job')
      .where('job.status = :status', { status: 'running' })
      .andWhere('job.leaseExpiresAt < :now', { now: Date.now() })
      .getMany();
    let requeued = 0;
    for (const job of expired) {
      const giveUp = job.attempts >= MAX_ATTEMPTS;
      const { affected } = await sql(
        this.data,
        `UPDATE "mv_job" SET "status" = ?, "leaseOwner" = NULL, "leaseExpiresAt" = NULL WHERE "id" = ? AND "status" = 'running' AND "leaseExpiresAt" < ?`,
        [giveUp ? 'failed' : 'queued', job.id, Date.now()],
      );
      if (affected !== 1) continue;
      const message = giveUp ? `Failed: its worker stopped ${job.attempts} times` : 'Re-queued: its worker stopped before the end';
      await this.repo.update(
        { id: job.id },
        { steps: [...job.steps, step(job.percent, message)], ...(giveUp && { error: message, errorCode: 'internal', finishedAt: new Date() }) },
      );
      this.events.emit(`job:${job.id}`);
      if (giveUp) this.events.emit('ended', job.id);
      requeued++;
    }
    if (requeued) this.events.emit('enqueued');
    return requeued;
  }

  /** Changes a job only while `worker` holds it, so a worker that lost its lease cannot write over another. */
  private async update(job: Job, worker: string, changes: Partial<Job>): Promise<void> {
    const result = await this.repo.update({ id: job.id, leaseOwner: worker }, changes as never);
    if (!result.affected) throw new LeaseLost(job.id);
    this.events.emit(`job:${job.id}`);
  }
}

export class LeaseLost extends MvError {
  constructor(jobId: string) {
    super('conflict', `Job ${jobId} is no longer held by this worker`);
  }
}

function step(percent: number, message: string): JobStep {
  return { at: new Date().toISOString(), percent, message };
}
