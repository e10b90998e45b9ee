import type { ParamSpecs } from '../params.js';
import { assertRole, roleAllows, type Actor, type Role } from '../roles.js';
import type { Runtime } from '../runtime.js';
import type { Job } from './job.entity.js';
import { redactedJobView, type JobView } from './job-view.js';

type Host = Pick<Runtime, 'registry' | 'entityInfo'>;

/**
 * Who may see a job, and how it is shown: its parameters, messages and errors are about a record, so the
 * API, the CLI and the back-office show it only to those who may read that record's entity, with the
 * parameters its action declares sensitive hidden.
 */

/** The read role of the job's entity; jobs of an entity no longer installed: admins only. */
export function jobReadRole(host: Host, entity: string): Role {
  return host.entityInfo(entity)?.read ?? 'admin';
}

/** The entities whose jobs this role may see; undefined: all of them (admins). */
export function readableJobEntities(host: Host, role: Role | undefined): string[] | undefined {
  if (roleAllows(role, 'admin')) return undefined;
  return host.registry.entities().filter((info) => roleAllows(role, info.read)).map((info) => info.name);
}

export function assertJobReadable(host: Host, actor: Actor, job: Pick<Job, 'entity'>): void {
  assertRole(actor, jobReadRole(host, job.entity), `Reading jobs of ${job.entity} records`);
}

/** Jobs as they are shown: sensitive parameters hidden (none known once the action's module is gone). */
export function jobViews(host: Host): (job: Job) => JobView {
  const paramsOf = (job: Job): ParamSpecs | undefined => {
    try {
      return host.registry.action(job.entity, job.action).definition.params;
    } catch {
      return undefined;
    }
  };
  return (job) => redactedJobView(job, paramsOf(job));
}
