import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { ActionContext, ActionResult } from '../action.js';
import { isMvError, MvError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Registry } from '../registry.js';
import { isRole, type Actor } from '../roles.js';
import { isResumed, type Job } from './job.entity.js';
import { LeaseLost, type JobOutcome, type JobQueue } from './job-queue.js';

/** What the runtime lends a job: everything in the action context that does not depend on the job itself. */
export type ContextServices = (log: Logger, signal: AbortSignal) => Pick<ActionContext, 'data' | 'repo' | 'credentials' | 'http' | 'service'>;

export interface WorkerOptions {
  registry: Registry;
  queue: JobQueue;
  logger: Logger;
  services: ContextServices;
  /** Jobs run at once by this worker. */
  concurrency: number;
  leaseMs: number;
  /** How often an idle worker looks for work queued by other processes. */
  pollMs?: number;
  /** Loads the record a job is about, fresh from the database; undefined when it no longer exists. */
  loadRecord(entity: string, id: string): Promise<unknown>;
  /** Claim only this job (`mvctl action run --wait` runs its own job, nothing else). */
  only?: string;
}

type StopReason = 'cancel' | 'lease-lost' | 'timeout' | 'shutdown';

/**
 * Claims queued jobs and runs their handlers: one lease per job, renewed while it runs; cancel, timeout and
 * shutdown all go through the handler's abort signal.
 */
export class Worker {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private stopped = true;
  private wake?: () => void;
  private loop?: Promise<void>;

  constructor(private readonly options: WorkerOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const onEnqueued = () => this.wake?.();
    const onCancel = (id: string) => this.running.get(id)?.controller.abort('cancel' satisfies StopReason);
    this.options.queue.events.on('enqueued', onEnqueued);
    this.options.queue.events.on('cancel', onCancel);
    this.loop = this.run().finally(() => {
      this.options.queue.events.off('enqueued', onEnqueued);
      this.options.queue.events.off('cancel', onCancel);
    });
  }

  /** Stops claiming, gives running jobs back to the queue and waits for their handlers to return. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    // First the loop, which may be claiming a job right now: after it, nothing new starts.
    await this.loop;
    for (const { controller } of this.running.values()) controller.abort('shutdown' satisfies StopReason);
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  private async run(): Promise<void> {
    const { queue, leaseMs, logger } = this.options;
    let lastSweep = 0;
    while (!this.stopped) {
      try {
        // The jobs this worker runs are alive whatever their lease says (renewals may have failed for a
        // while): it neither gives them back nor takes them a second time.
        if (Date.now() - lastSweep > leaseMs / 2) {
          lastSweep = Date.now();
          await queue.requeueExpired([...this.running.keys()]);
        }
        while (!this.stopped && this.running.size < this.options.concurrency) {
          const asked = Date.now();
          const job = await queue.claim(this.id, leaseMs, { id: this.options.only, exclude: [...this.running.keys()] });
          if (!job) break;
          const controller = new AbortController();
          // Every concurrent provider call of the job listens to its signal: dozens at a time is normal.
          setMaxListeners(0, controller.signal);
          const done = this.execute(job, controller, asked).finally(() => {
            this.running.delete(job.id);
            this.wake?.();
          });
          this.running.set(job.id, { controller, done });
        }
      } catch (error) {
        logger.error({ err: error }, 'job worker: could not claim work');
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs ?? 500);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** `leasedAt`: when the claim was asked, no later than the start of the lease the database gave. */
  private async execute(job: Job, controller: AbortController, leasedAt: number): Promise<void> {
    const { queue, registry, leaseMs } = this.options;
    const log = this.options.logger.child({ jobId: job.id, entity: job.entity, recordId: job.recordId, action: job.action });
    const { signal } = controller;
    const reason = () => signal.reason as StopReason | undefined;
    // The job's writes, one after the other: each carries every step before it (see JobQueue).
    let writes = Promise.resolve();
    const write = (change: () => Promise<void>): Promise<void> => {
      const next = writes.then(change);
      writes = next.catch(() => undefined);
      return next;
    };
    // When renewals fail (database unreachable, busy), the lease runs out and another worker may resume the
    // job: the handler is stopped a margin before that, counted from the last renewal the database took.
    const margin = Math.min(leaseMs / 4, 5_000);
    let renewedFrom = 0;
    let expiry: NodeJS.Timeout | undefined;
    const leaseFrom = (start: number) => {
      renewedFrom = start;
      clearTimeout(expiry);
      expiry = setTimeout(() => controller.abort('lease-lost' satisfies StopReason), start + leaseMs - margin - Date.now());
    };
    leaseFrom(leasedAt);
    const heartbeat = setInterval(async () => {
      const sent = Date.now();
      try {
        const lease = await queue.renew(job, leaseMs);
        if (!lease.owned) controller.abort('lease-lost' satisfies StopReason);
        else if (lease.cancelRequested && !signal.aborted) controller.abort('cancel' satisfies StopReason);
        // Renewals may overlap when the database is slow: only a later one moves the deadline.
        if (lease.owned && sent > renewedFrom) leaseFrom(sent);
      } catch (error) {
        log.warn({ err: error }, 'could not renew the job lease');
      }
    }, Math.max(200, Math.min(1_000, leaseMs / 3)));
    let timeout: NodeJS.Timeout | undefined;
    let timeoutMs: number | undefined;
    const resumed = isResumed(job);
    log.info({ attempt: job.attempts }, 'job started');
    try {
      if (job.cancelRequested) controller.abort('cancel' satisfies StopReason);
      const { definition } = registry.action(job.entity, job.action);
      timeoutMs = definition.timeoutMs;
      if (timeoutMs) timeout = setTimeout(() => controller.abort('timeout' satisfies StopReason), timeoutMs);
      let record: unknown;
      if (job.recordId) {
        record = await this.options.loadRecord(job.entity, job.recordId);
        if (!record) throw new MvError('not_found', `The ${job.entity} ${job.recordId} no longer exists`);
        // A resumed job continues its own steps: what its first attempt changed must not stop it.
        const applicable = resumed ? true : definition.applicable?.(record) ?? true;
        if (applicable !== true) throw new MvError('not_applicable', `${definition.label} no longer applies: ${applicable}`);
      }
      const context: ActionContext = {
        ...this.options.services(log, signal),
        record,
        params: job.params,
        job: { id: job.id, attempt: job.attempts, resumed, dryRun: job.dryRun },
        actor: actorOf(job),
        log,
        signal,
        progress: (percent, message) => {
          log.info({ percent, step: message }, 'job step');
          return write(() => queue.progress(job, percent, message));
        },
      };
      if (signal.aborted) throw new MvError('cancelled', 'Cancelled before it started');
      const result: ActionResult = await definition.handler(context);
      await write(() => this.end(job, { status: 'succeeded', message: result.message, value: result.value }, log));
    } catch (error) {
      await write(() => this.fail(job, error, reason(), log, timeoutMs));
    } finally {
      clearInterval(heartbeat);
      clearTimeout(expiry);
      clearTimeout(timeout);
    }
  }

  private async fail(job: Job, error: unknown, reason: StopReason | undefined, log: Logger, timeoutMs?: number): Promise<void> {
    if (reason === 'lease-lost' || error instanceof LeaseLost) {
      log.warn('job lease lost (not renewed in time, or taken by another worker): stopped here, the queue resumes it');
      return;
    }
    if (reason === 'shutdown') {
      await this.options.queue.release(job, 'the process stopped').catch((e) => log.warn({ err: e }, 'could not re-queue the job'));
      log.info('job re-queued at shutdown');
      return;
    }
    if (reason === 'cancel') return this.end(job, { status: 'cancelled', error: 'Cancelled', errorCode: 'cancelled' }, log);
    if (reason === 'timeout') {
      return this.end(job, { status: 'failed', error: `Timed out after ${Math.round((timeoutMs ?? 0) / 1000)} s`, errorCode: 'timeout' }, log);
    }
    const known = isMvError(error);
    if (!known) log.error({ err: error }, 'job failed with an unexpected error');
    await this.end(
      job,
      {
        status: 'failed',
        error: known ? error.message : `Unexpected error: ${(error as Error)?.message ?? String(error)}`,
        errorCode: known ? error.code : 'internal',
        errorCause: causeOf(error),
        errorDetails: known ? error.details : undefined,
      },
      log,
    );
  }

  private async end(job: Job, outcome: JobOutcome, log: Logger): Promise<void> {
    try {
      await this.options.queue.finish(job, outcome);
      log.info({ status: outcome.status, error: outcome.error }, 'job ended');
    } catch (error) {
      if (error instanceof LeaseLost) log.warn('job ended after its lease was lost; another worker owns it');
      else log.error({ err: error }, 'could not record the end of the job');
    }
  }
}

function actorOf(job: Job): Actor {
  const [kind, id] = job.actorId.includes(':') ? (job.actorId.split(':', 2) as [Actor['kind'], string]) : (['system', job.actorId] as const);
  return { kind, id, name: job.startedBy, role: isRole(job.actorRole) ? job.actorRole : 'viewer' };
}

/** The chain of causes, in words: what a user needs to understand a failure, without a stack trace. */
function causeOf(error: unknown): string | undefined {
  const causes: string[] = [];
  for (let cause = (error as Error)?.cause; cause && causes.length < 3; cause = (cause as Error).cause) {
    const text = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    causes.push(text);
  }
  return causes.length ? causes.join(' ← ') : undefined;
}
