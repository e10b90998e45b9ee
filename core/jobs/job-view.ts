import type { ParamSpecs } from '../params.js';
import type { Job } from './job.entity.js';

/** Shown instead of the value of a parameter declared sensitive. */
export const HIDDEN = '[hidden]';

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

/** The parameters as they may be shown: those the action declares `sensitive` only as set. */
export function shownParams(params: Record<string, unknown> | null, specs: ParamSpecs | undefined): Record<string, unknown> {
  const hidden = (name: string, value: unknown) => specs?.[name]?.sensitive && value !== undefined && value !== null && value !== '';
  return Object.fromEntries(Object.entries(params ?? {}).map(([name, value]) => [name, hidden(name, value) ? HIDDEN : value]));
}

/**
 * jobView with the sensitive parameters hidden, given the action's parameters. A separate function, not
 * an argument of jobView: callers pass jobView to map(), which would hand it an index.
 */
export function redactedJobView(job: Job, specs: ParamSpecs | undefined): JobView {
  return { ...jobView(job), params: shownParams(job.params, specs) };
}
