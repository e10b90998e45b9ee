// Type-only import of the server's own type: the bundler's TypeScript preset erases it.
import type { JobView } from '../../core/jobs/job-view.js';

/** Meveo's wording for a failed action, with the cause when there is one. */
export function failureText(actionLabel: string, job: Pick<JobView, 'status' | 'error'>): string {
  if (job.status === 'cancelled') return `${actionLabel} was cancelled.`;
  const reason = job.error?.message ?? 'no reason was recorded';
  const causes = newCauses(reason, job.error?.cause);
  return `Failed to execute action ${actionLabel}. Failure reason: ${reason}${causes.length ? ` (cause: ${causes.join(' ← ')})` : ''}`;
}

/**
 * The causes of a chain ("AxiosError: x ← Error: x") worth showing: each once, and none the message
 * already says (a wrapped network error often repeats its cause's message word for word).
 */
export function newCauses(message: string, chain: string | undefined): string[] {
  const said = new Set<string>();
  return (chain ?? '').split(' ← ').filter((cause) => {
    const text = cause.replace(/^\w*: /, '').trim();
    if (!text || message.includes(text) || said.has(text)) return false;
    said.add(text);
    return true;
  });
}
