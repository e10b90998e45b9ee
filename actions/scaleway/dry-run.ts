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
