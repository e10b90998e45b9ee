import type { CurrentAdmin } from 'adminjs';
import { In, type FindOperator } from 'typeorm';
import type { Job } from '../core/jobs/job.entity.js';
import { redactedJobView, shownParams, type JobView } from '../core/jobs/job-view.js';
import type { ParamSpecs } from '../core/params.js';
import { roleAllows, type Role } from '../core/roles.js';
import type { Runtime } from '../core/runtime.js';
import { roleOf } from './auth.js';
import type { ReadPolicy } from './resource.js';

/**
 * The role a user needs to see a job: its parameters, messages and errors are about a record, so the read
 * role of that record's entity. Jobs of an entity no longer installed: admins only.
 */
export function jobReadRole(runtime: Runtime, entity: string): Role {
  return runtime.entityInfo(entity)?.read ?? 'admin';
}

/** The jobs a user may see, as a condition on Job: those of the entities they may read (admins: all). */
export function jobScope(runtime: Runtime, role: Role | undefined): { entity?: FindOperator<string> } {
  if (roleAllows(role, 'admin')) return {};
  return { entity: In(runtime.registry.entities().filter((info) => roleAllows(role, info.read)).map((info) => info.name)) };
}

/** The action's parameters, to know which are sensitive; none known once its module is gone. */
function paramsOf(runtime: Runtime, job: Pick<Job, 'entity' | 'action'>): ParamSpecs | undefined {
  try {
    return runtime.registry.action(job.entity, job.action).definition.params;
  } catch {
    return undefined;
  }
}

/** Jobs as the back-office sends them: sensitive parameters hidden. */
export function jobViews(runtime: Runtime): (job: Job) => JobView {
  return (job) => redactedJobView(job, paramsOf(runtime, job));
}

/** The Job resource: rows scoped to the user, sensitive parameters hidden, and a one-line result for the list. */
export function jobPolicy(runtime: Runtime): ReadPolicy {
  return {
    where: (admin: CurrentAdmin | undefined) => jobScope(runtime, roleOf(admin)),
    show: (params, row) => {
      const job = row as unknown as Job;
      return { ...params, params: shownParams(job.params, paramsOf(runtime, job)), result: oneLine(job.error ?? job.message) };
    },
  };
}

function oneLine(text: string | null): string | null {
  const first = text?.trim().split('\n')[0] ?? '';
  return first.length > 120 ? `${first.slice(0, 119)}…` : first || null;
}
