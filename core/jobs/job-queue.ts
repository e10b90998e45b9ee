import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { In, type DataSource, type Repository } from 'typeorm';
import { MvError } from '../errors.js';
import { isUuid } from '../db/records.js';
import { isUniqueViolation, nowMs, sql } from '../db/sql.js';
import type { Actor } from '../roles.js';
import { jobId } from './job-id.js';
import { isFinal, isResumed, Job, type JobStatus, type JobStep } from './job.entity.js';

export interface NewJob {
  module: string;
  entity: string;
  recordId?: string;
  action: string;
  params: Record<string, unknown>;
  actor: Actor;
  dryRun?: boolean;
  /** List actions: what the job locks instead of the whole entity (the action's lockKey). */
  lockKey?: string;
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
  /** Only jobs of these entities (what the caller may read); undefined: all. */
  entities?: string[];
  recordId?: string;
  action?: string;
  page?: number;
  perPage?: number;
}

/** Which queued jobs a worker may take. */
export interface ClaimFilter {
  /** Only this job. */
  id?: string;
  /** Not these (the jobs the worker runs already). */
  exclude?: string[];
}

/** How many times a job may lose its worker (process killed) before it is failed instead of re-queued. */
const MAX_ATTEMPTS = 5;

/**
 * The persisted queue. Workers claim jobs atomically (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: the
 * single writer), hold them with a lease they renew, and lose them when the lease runs out. Lease times
 * are the database's, so that workers on machines whose clocks differ agree on them.
 *
 * A claimed job is written only through the Job object the claim returned, which keeps its steps: the
 * holder serializes its writes (the worker does), so each is one UPDATE that cannot lose a step.
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
    return (await this.enqueueMany([job]))[0];
  }

  /** Queues every job or none: when one conflicts with an active job, nothing is queued. */
  async enqueueMany(jobs: NewJob[]): Promise<Job[]> {
    const entities = jobs.map((job) =>
      this.repo.create({
        id: jobId(),
        module: job.module,
        entity: job.entity,
        recordId: job.recordId ?? null,
        recordKey: `${job.entity}:${job.recordId ?? (job.lockKey === undefined ? '*' : `*:${job.lockKey}`)}`,
        action: job.action,
        params: job.params,
        status: 'queued',
        percent: 0,
        steps: [{ at: new Date().toISOString(), percent: 0, message: 'Queued' }],
        startedBy: job.actor.name,
        actorId: `${job.actor.kind}:${job.actor.id}`,
        actorRole: job.actor.role,
        dryRun: job.dryRun ?? false,
      }),
    );
    try {
      // One INSERT statement: all rows or none. Our own ids, and no read-back into the entities: TypeORM's
      // read-back on SQLite can give a row's id to another entity of the same insert.
      await this.repo.createQueryBuilder().insert().into(Job).values(entities as never).updateEntity(false).execute();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const active = await this.repo.findOne({
        where: entities.map(({ recordKey, action }) => ({ recordKey, action, status: In(['queued', 'running']) })),
      });
      const action = active?.action ?? jobs[0].action;
      throw new MvError(
        'conflict',
        `${action} is already ${active?.status ?? 'queued or running'} on this ${(active ?? jobs[0]).recordId ? 'record' : 'entity'}${active ? ` (job ${active.id})` : ''}; wait for it to finish or cancel it`,
        active ? { jobId: active.id } : undefined,
      );
    }
    this.events.emit('enqueued');
    const created = await this.repo.findBy({ id: In(entities.map((e) => e.id)) });
    const byId = new Map(created.map((job) => [job.id, job]));
    return entities.map(({ id }) => {
      this.events.emit('created', byId.get(id));
      return byId.get(id)!;
    });
  }

  async get(id: string): Promise<Job> {
    // A malformed id is a 404, not a database error.
    const job = isUuid(id) ? await this.repo.findOneBy({ id }) : null;
    if (!job) throw new MvError('not_found', `No job ${id}`);
    return job;
  }

  async list(filter: JobFilter = {}): Promise<{ jobs: Job[]; total: number }> {
    const perPage = Math.min(Math.max(filter.perPage ?? 50, 1), 500);
    const where: Record<string, unknown> = Object.fromEntries(
      Object.entries({ status: filter.status, entity: filter.entity, recordId: filter.recordId, action: filter.action }).filter(([, v]) => v !== undefined),
    );
    if (filter.entities) {
      if (filter.entity !== undefined && !filter.entities.includes(filter.entity)) return { jobs: [], total: 0 };
      where.entity ??= In(filter.entities);
    }
    const [jobs, total] = await this.repo.findAndCount({
      where,
      // The id breaks ties: jobs queued together share their creation time, and pages must not overlap.
      order: { createdAt: 'DESC', id: 'DESC' },
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

  /** Takes the oldest queued job (that the filter allows) whose record has no running job. */
  async claim(worker: string, leaseMs: number, filter: ClaimFilter = {}): Promise<Job | undefined> {
    const postgres = this.data.options.type === 'postgres';
    const exclude = filter.exclude ?? [];
    let claimed: { id: string }[];
    try {
      ({ rows: claimed } = await sql<{ id: string }>(
        this.data,
        `UPDATE "mv_job" SET "status" = 'running', "leaseOwner" = ?, "leaseExpiresAt" = ${nowMs(this.data)} + ?, "attempts" = "attempts" + 1
         WHERE "id" = (
           SELECT j."id" FROM "mv_job" j
           WHERE j."status" = 'queued'
             AND NOT EXISTS (SELECT 1 FROM "mv_job" r WHERE r."status" = 'running' AND r."recordKey" = j."recordKey")
             ${filter.id ? 'AND j."id" = ?' : ''}
             ${exclude.length ? `AND j."id" NOT IN (${exclude.map(() => '?').join(', ')})` : ''}
           ORDER BY j."createdAt", j."id" LIMIT 1 ${postgres ? 'FOR UPDATE SKIP LOCKED' : ''}
         ) AND "status" = 'queued'
         RETURNING "id"`,
        [`${worker}#${randomBytes(4).toString('hex')}`, leaseMs, ...(filter.id ? [filter.id] : []), ...exclude],
      ));
    } catch (error) {
      // Another worker started a job on the same record at the same moment: try again later.
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
    if (!claimed.length) return undefined;
    const job = await this.get(claimed[0].id);
    await this.update(job, {
      startedAt: job.startedAt ?? new Date(),
      ...(isResumed(job) && { steps: [...job.steps, step(job.percent, `Resumed after its worker stopped (attempt ${job.attempts})`)] }),
    });
    return job;
  }

  /** Extends the lease; false when the job is no longer this claim's (lost lease, or finished elsewhere). */
  async renew(job: Job, leaseMs: number): Promise<{ owned: boolean; cancelRequested: boolean }> {
    const { rows } = await sql<{ cancelRequested: boolean | number }>(
      this.data,
      `UPDATE "mv_job" SET "leaseExpiresAt" = ${nowMs(this.data)} + ? WHERE "id" = ? AND "leaseOwner" = ? AND "status" = 'running' RETURNING "cancelRequested"`,
      [leaseMs, job.id, job.leaseOwner],
    );
    return { owned: rows.length === 1, cancelRequested: rows.length === 1 && !!rows[0].cancelRequested };
  }

  async progress(job: Job, percent: number, message: string): Promise<void> {
    const clamped = Math.max(0, Math.min(100, Math.round(percent)));
    await this.update(job, { percent: clamped, steps: [...job.steps, step(clamped, message)] });
  }

  async finish(job: Job, outcome: JobOutcome): Promise<void> {
    const last = outcome.status === 'succeeded' ? 'Succeeded' : outcome.status === 'cancelled' ? 'Cancelled' : `Failed: ${outcome.error}`;
    const percent = outcome.status === 'succeeded' ? 100 : job.percent;
    await this.update(job, {
      status: outcome.status,
      percent,
      steps: [...job.steps, step(percent, last)],
      message: outcome.message ?? null,
      value: outcome.value ?? null,
      error: outcome.error ?? null,
      errorCode: outcome.errorCode ?? null,
      errorCause: outcome.errorCause ?? null,
      errorDetails: outcome.errorDetails ?? null,
      finishedAt: new Date(),
      // The owner stays, to tell which worker ran it; the status, no longer running, makes it hold nothing.
      leaseExpiresAt: null,
    });
    this.events.emit('ended', job.id);
  }

  /** Gives a running job back to the queue (graceful shutdown): another worker resumes it. */
  async release(job: Job, why: string): Promise<void> {
    await this.update(job, {
      status: 'queued',
      leaseOwner: null,
      leaseExpiresAt: null,
      steps: [...job.steps, step(job.percent, `Re-queued: ${why}`)],
    });
    this.events.emit('enqueued');
  }

  /** Queued jobs end at once; running ones are asked to stop and end when their handler returns. */
  async cancel(id: string, by: Actor): Promise<Job> {
    const job = await this.get(id);
    if (isFinal(job.status)) throw new MvError('conflict', `Job ${id} already ${job.status}`);
    if (job.status === 'queued') {
      const { affected } = await this.repo.update(
        { id, status: 'queued' },
        { status: 'cancelled', steps: [...job.steps, step(job.percent, `Cancelled by ${by.name}`)], finishedAt: new Date() },
      );
      if (affected === 1) {
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
   * by whichever worker claims them; after too many losses they fail instead. `keep`: jobs the calling
   * worker runs itself, alive whatever their lease says.
   */
  async requeueExpired(keep: string[] = []): Promise<number> {
    const now = nowMs(this.data);
    const { rows: expired } = await sql<{ id: string; attempts: number; percent: number; steps: string }>(
      this.data,
      `SELECT "id", "attempts", "percent", "steps" FROM "mv_job" WHERE "status" = 'running' AND "leaseExpiresAt" < ${now}`,
    );
    let requeued = 0;
    for (const job of expired.filter((j) => !keep.includes(j.id))) {
      const giveUp = job.attempts >= MAX_ATTEMPTS;
      const message = giveUp ? `Failed: its worker stopped ${job.attempts} times` : 'Re-queued: its worker stopped before the end';
      // One statement, guarded by the steps just read: if anything wrote meanwhile, the next sweep decides.
      const { affected } = await this.repo
        .createQueryBuilder()
        .update(Job)
        .set({
          status: giveUp ? 'failed' : 'queued',
          leaseOwner: null,
          leaseExpiresAt: null,
          steps: [...(JSON.parse(job.steps) as JobStep[]), step(job.percent, message)],
          ...(giveUp && { error: message, errorCode: 'internal', finishedAt: new Date() }),
        })
        .where(`"id" = :id AND "status" = 'running' AND "leaseExpiresAt" < ${now} AND "steps" = :steps`, { id: job.id, steps: job.steps })
        .execute();
      if (affected !== 1) continue;
      this.events.emit(`job:${job.id}`);
      if (giveUp) this.events.emit('ended', job.id);
      requeued++;
    }
    if (requeued) this.events.emit('enqueued');
    return requeued;
  }

  /**
   * Changes a running job only while this claim holds it, so that a worker that lost its lease cannot write
   * over another claim, nor over a job that ended; then keeps the changes on `job`.
   */
  private async update(job: Job, changes: Partial<Job>): Promise<void> {
    const result = await this.repo.update({ id: job.id, leaseOwner: job.leaseOwner!, status: 'running' }, changes as never);
    if (!result.affected) throw new LeaseLost(job.id);
    Object.assign(job, changes);
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
