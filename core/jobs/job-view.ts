import type { Job } from './job.entity.js';

/** A job as the API, the CLI and the back-office show it. */
export function jobView(job: Job) {
  const finished = job.finishedAt?.getTime();
  const started = job.startedAt?.getTime();
  return {
    id: job.id,
    module: job.module,
    entity: job.entity,
    recordId: job.recordId,
    action: job.action,
    params: job.params,
    dryRun: job.dryRun,
    status: job.status,
    percent: job.percent,
    steps: job.steps,
    message: job.message,
    value: job.value ?? null,
    error: job.error ? { code: job.errorCode ?? 'internal', message: job.error, cause: job.errorCause ?? undefined, details: job.errorDetails ?? undefined } : null,
    startedBy: job.startedBy,
    attempts: job.attempts,
    cancelRequested: job.cancelRequested,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    durationMs: finished && started ? finished - started : null,
  };
}

export type JobView = ReturnType<typeof jobView>;
