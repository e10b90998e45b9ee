import type { CurrentAdmin } from 'adminjs';
import { In } from 'typeorm';
import { Job } from '../core/jobs/job.entity.js';
import type { EntityInfo } from '../core/registry.js';
import { roleAllows } from '../core/roles.js';
import type { Runtime } from '../core/runtime.js';
import { roleOf } from './auth.js';
import { jobViews } from '../core/jobs/job-access.js';
import { jobScope } from './jobs.js';

/** Fields that hold a resource's lifecycle state, by convention. */
const STATE_FIELDS = ['state', 'status'];

/**
 * What the dashboard shows: the module entities the user may read, by navigation group (provider), with
 * their count per state; the latest jobs and the latest failed ones.
 */
export function dashboardData(runtime: Runtime) {
  return async (admin: CurrentAdmin | undefined) => {
    const role = roleOf(admin);
    const readable = runtime.registry.entities().filter((info) => roleAllows(role, info.read));
    // Only jobs of records the user may read: their messages and errors are about those records.
    const latest = (where: { status?: 'failed' }) =>
      runtime.data.getRepository(Job).findAndCount({ where: { ...jobScope(runtime, role), ...where }, order: { createdAt: 'DESC', id: 'DESC' }, take: 8 });
    const [summaries, [recentJobs], [failedJobs, failedTotal]] = await Promise.all([
      Promise.all(readable.map((info) => summary(runtime, info))),
      latest({}),
      latest({ status: 'failed' }),
    ]);
    const groups = new Map<string, typeof summaries>();
    for (const [index, info] of readable.entries()) groups.set(info.group, [...(groups.get(info.group) ?? []), summaries[index]]);
    const titles = await recordTitles(runtime, [...recentJobs, ...failedJobs]);
    const view = jobViews(runtime);
    const describe = (job: Job) => ({
      ...view(job),
      entityLabel: runtime.entityInfo(job.entity)?.label ?? job.entity,
      recordTitle: job.recordId ? (titles.get(`${job.entity}:${job.recordId}`) ?? null) : null,
      actionLabel: actionLabel(runtime, job),
    });
    return {
      groups: [...groups].map(([name, resources]) => ({ name, resources })),
      recentJobs: recentJobs.map(describe),
      failedJobs: failedJobs.map(describe),
      failedTotal,
    };
  };
}

async function summary(runtime: Runtime, info: EntityInfo) {
  const repo = runtime.data.getRepository(info.entity);
  const state = info.fields.find((f) => STATE_FIELDS.includes(f.name) && !f.secret);
  const [total, rows] = await Promise.all([
    repo.count(),
    state
      ? repo
          .createQueryBuilder('r')
          .select(`r.${state.name}`, 'value')
          .addSelect('COUNT(*)', 'count')
          .groupBy(`r.${state.name}`)
          .orderBy('count', 'DESC')
          .getRawMany<{ value: string | null; count: string | number }>()
      : [],
  ]);
  const states = rows.map((row) => ({ value: row.value ?? '(none)', count: Number(row.count) }));
  return { id: info.name, label: info.label, total, stateField: state?.name ?? null, states };
}

/** The names of the jobs' records, by `entity:id`, one query per entity. */
async function recordTitles(runtime: Runtime, jobs: Job[]): Promise<Map<string, string>> {
  const titles = new Map<string, string>();
  const idsByEntity = new Map<string, Set<string>>();
  for (const job of jobs) if (job.recordId) idsByEntity.set(job.entity, (idsByEntity.get(job.entity) ?? new Set()).add(job.recordId));
  for (const [entity, ids] of idsByEntity) {
    const info = runtime.entityInfo(entity);
    if (!info) continue;
    const rows = await runtime.data.getRepository(info.entity).find({ where: { id: In([...ids]) }, select: ['id', info.titleField] });
    for (const row of rows) titles.set(`${entity}:${row.id}`, String(row[info.titleField] ?? row.id));
  }
  return titles;
}

function actionLabel(runtime: Runtime, job: Job): string {
  try {
    return runtime.registry.action(job.entity, job.action).definition.label;
  } catch {
    return job.action;
  }
}
