import type { CurrentAdmin } from 'adminjs';
import { In, type FindOperator } from 'typeorm';
import type { Job } from '../core/jobs/job.entity.js';
import { readableJobEntities, jobViews } from '../core/jobs/job-access.js';
import type { Role } from '../core/roles.js';
import type { Runtime } from '../core/runtime.js';
import { roleOf } from './auth.js';
import type { ReadPolicy } from './resource.js';

/** The jobs a user may see, as a condition on Job: those of the entities they may read (admins: all). */
export function jobScope(runtime: Runtime, role: Role | undefined): { entity?: FindOperator<string> } {
  const entities = readableJobEntities(runtime, role);
  return entities ? { entity: In(entities) } : {};
}

/** The Job resource: rows scoped to the user, sensitive parameters hidden, and a one-line result for the list. */
export function jobPolicy(runtime: Runtime): ReadPolicy {
  const view = jobViews(runtime);
  return {
    where: (admin: CurrentAdmin | undefined) => jobScope(runtime, roleOf(admin)),
    show: (params, row) => {
      const job = row as unknown as Job;
      return { ...params, params: view(job).params, result: oneLine(job.error ?? job.message) };
    },
  };
}

function oneLine(text: string | null): string | null {
  const first = text?.trim().split('\n')[0] ?? '';
  return first.length > 120 ? `${first.slice(0, 119)}…` : first || null;
}
