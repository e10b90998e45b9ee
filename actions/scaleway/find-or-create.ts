import type { ActionContext } from 'mv-infra/core';
import { isLostResponse } from '../../providers/scaleway/outcomes.js';

export interface OrphanProofCreate<T extends { id: string }> {
  /** What is created, for messages: `server`, `volume`, `IP`. */
  kind: string;
  /** What to call it while creating, and once found. */
  name: string;
  label?: (found: T) => string;
  /** The resource an earlier attempt of this job created, found by the record's owner tag. */
  find: () => Promise<T | undefined>;
  create: () => Promise<T>;
  /** Progress when creating, and when adopting what was found. */
  progress?: { creating: number; found: number };
}

/**
 * An orphan-proof create: adopts the resource an earlier attempt created (found by its tag), or creates
 * it; when the create's answer is lost (timeout, dropped connection), looks again before giving up, so
 * that a retry never makes a second one.
 */
export async function findOrCreate<T extends { id: string }>(ctx: ActionContext, steps: OrphanProofCreate<T>): Promise<T> {
  const { creating, found: adopting } = steps.progress ?? { creating: 20, found: 30 };
  const previous = await steps.find();
  if (previous) {
    await ctx.progress(adopting, `Found ${steps.label?.(previous) ?? steps.name} (${previous.id}) created by an earlier attempt: adopting it`);
    return previous;
  }
  await ctx.progress(creating, `Creating ${steps.name}`);
  try {
    return await steps.create();
  } catch (error) {
    if (!isLostResponse(error)) throw error;
    // The answer was lost, not necessarily the resource: look before giving up.
    const found = await steps.find();
    if (!found) throw error;
    await ctx.progress(adopting, `The create answer was lost, but the ${steps.kind} exists (${found.id}): adopting it`);
    return found;
  }
}
