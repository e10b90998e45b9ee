import type { ActionContext } from 'mv-infra/core';

/**
 * What a wait reports at each poll: progress moving from `from` towards `to` as the time limit nears
 * (never past 95 % of the range: the end of the wait says 100), and what the resource is now.
 */
export function waitProgress(ctx: Pick<ActionContext, 'progress'>, range: { from: number; to: number; timeoutMs: number }, message: (state: string) => string) {
  return (elapsed: number, state: string): Promise<void> =>
    ctx.progress(range.from + (range.to - range.from) * Math.min(0.95, elapsed / range.timeoutMs), message(state));
}
