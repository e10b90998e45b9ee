import type { ActionResult } from 'mv-infra/core';

export interface PlannedCall {
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
}

/** What a dry run answers: the calls the action would make, in order, and nothing sent. */
export function dryRunResult(summary: string, calls: PlannedCall[]): ActionResult {
  return {
    message: `Dry run: ${summary}. Would send ${calls.map((c) => `${c.method} ${c.path}`).join(', then ')}; nothing was sent.`,
    value: { dryRun: true, calls },
  };
}

/**
 * What a dry run of a sync answers: the lists it would read (only reads, then records written here), and
 * nothing read nor written.
 */
export function readsDryRun(summary: string, paths: string[]): ActionResult {
  const reads = paths.map((path) => ({ method: 'GET' as const, path }));
  return {
    message: `Dry run: ${summary} would read ${paths.map((path) => `GET ${path}`).join(', ')} and write the records found; nothing was read and nothing was changed.`,
    value: { dryRun: true, calls: [], reads },
  };
}
