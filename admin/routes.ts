import express, { Router, type Request } from 'express';
import { confirmationText, type ActionDefinition } from '../core/action.js';
import { actorOf, requireRole } from '../core/api/auth.js';
import { errorHandler, handle, notFound } from '../core/api/errors.js';
import { findRecord, isUuid } from '../core/db/records.js';
import { MvError } from '../core/errors.js';
import { paramDefaults, type ParamSpec } from '../core/params.js';
import type { EntityInfo } from '../core/registry.js';
import type { Runtime } from '../core/runtime.js';
import { mayRun } from './actions.js';
import { assertJobReadable, jobViews } from '../core/jobs/job-access.js';
import { moduleRoutes } from './module-routes.js';

type Row = { id: string } & Record<string, unknown>;

const MAX_IDS = 500;

/**
 * The back-office's own JSON endpoints, under `<root>/mv` (signed-in users only; the same-origin check in
 * front of the admin router guards the POST):
 * - GET  /actions/:entity/:action?ids=  what the action page shows: confirmation, parameters with their
 *        defaults for these records, and whether the action applies to each;
 * - POST /actions/:entity/:action       starts the job(s) through the runner the API uses; body
 *        `{ "ids": [...], "params": {...} }`; 202 with the jobs;
 * - GET  /jobs?ids=                     the jobs, for the progress display (of records the user may read);
 * - GET  /records/:entity/:id/jobs      the latest jobs of a record;
 * - /modules/...                         the Modules page (module-routes.ts).
 * Errors are the API's `{"error": {"code", "message", "details"}}`.
 */
export function backOfficeRoutes(runtime: Runtime): Router {
  const router = Router();
  const jobView = jobViews(runtime);
  const readable = (req: Request, name: string): EntityInfo => {
    actorOf(req);
    const entity = runtime.registry.entity(name);
    requireRole(req, entity.read, `Reading ${entity.label} records`);
    return entity;
  };
  const runnable = (req: Request): { entity: EntityInfo; definition: ActionDefinition } => {
    const entity = readable(req, req.params.entity);
    const { definition } = runtime.registry.action(entity.name, req.params.action);
    const who = actorOf(req);
    if (!mayRun(req.session.adminUser, entity, definition)) {
      throw new MvError('forbidden', `${definition.label} needs the ${definition.role ?? 'operator'} role; ${who.name} is ${who.role}`);
    }
    return { entity, definition };
  };

  router.get(
    '/actions/:entity/:action',
    handle(async (req, res) => {
      const { entity, definition } = runnable(req);
      const records = await Promise.all(idsOf(req.query.ids).map((id) => findRecord<Row>(runtime.data, entity, id)));
      res.json(actionForm(entity, definition, records));
    }),
  );

  router.post(
    '/actions/:entity/:action',
    express.json({ limit: '256kb' }),
    handle(async (req, res) => {
      const { entity, definition } = runnable(req);
      const body = (req.body ?? {}) as { ids?: unknown; params?: unknown };
      const ids = Array.isArray(body.ids) ? idsOf(body.ids.join(',')) : [];
      if (body.params !== undefined && (typeof body.params !== 'object' || body.params === null || Array.isArray(body.params))) {
        throw new MvError('invalid_request', 'params must be an object of action parameters');
      }
      const jobs = await runtime.runner.invoke({
        entity: entity.name,
        action: definition.code,
        recordIds: ids.length ? ids : undefined,
        params: body.params as Record<string, unknown> | undefined,
        actor: actorOf(req),
      });
      res.status(202).json({ jobs: jobs.map(jobView) });
    }),
  );

  router.get(
    '/jobs',
    handle(async (req, res) => {
      const actor = actorOf(req);
      const jobs = await Promise.all(idsOf(req.query.ids).map((id) => runtime.queue.get(id)));
      for (const job of jobs) assertJobReadable(runtime, actor, job);
      res.json({ jobs: jobs.map(jobView) });
    }),
  );

  router.get(
    '/records/:entity/:id/jobs',
    handle(async (req, res) => {
      const entity = readable(req, req.params.entity);
      const { jobs, total } = await runtime.queue.list({ entity: entity.name, recordId: req.params.id, perPage: 10 });
      res.json({ jobs: jobs.map(jobView), total });
    }),
  );

  router.use('/modules', moduleRoutes(runtime));
  router.use(notFound, errorHandler(runtime.logger));
  return router;
}

function idsOf(raw: unknown): string[] {
  const ids = typeof raw === 'string' ? raw.split(',').map((id) => id.trim()).filter(Boolean) : [];
  if (ids.length > MAX_IDS) throw new MvError('invalid_request', `At most ${MAX_IDS} records at a time`);
  const bad = ids.filter((id) => !isUuid(id));
  if (bad.length) throw new MvError('not_found', `No record or job with id ${bad.join(', ')}`);
  return ids;
}

/** Calls a module's function of a record (confirmation, default, applicability) without letting it break the page. */
function attempt<T>(run: () => T, fallback: T): T {
  try {
    return run();
  } catch {
    return fallback;
  }
}

/**
 * The action as its page shows it. Parameter defaults computed from the record are given for one record;
 * for several, each record gets its own when the job is queued, so the form leaves them empty.
 */
export function actionForm(entity: EntityInfo, definition: ActionDefinition, records: Row[]) {
  const single = records.length === 1 ? records[0] : undefined;
  const confirm = (record: Row | undefined) => attempt(() => confirmationText(definition, record) ?? null, null);
  return {
    action: { code: definition.code, label: definition.label, kind: definition.kind, description: definition.description ?? null },
    entity: { name: entity.name, label: entity.label },
    confirm: definition.kind === 'list' ? confirm(undefined) : single ? confirm(single) : null,
    records: records.map((record) => ({
      id: record.id,
      title: String(record[entity.titleField] ?? record.id),
      applicable: attempt(() => definition.applicable?.(record) ?? true, 'cannot be checked' as true | string),
      confirm: confirm(record),
    })),
    params: Object.entries(definition.params ?? {}).map(([name, spec]) => describeParam(name, spec, single, definition.kind === 'list' || !!single)),
  };
}

function describeParam(name: string, spec: ParamSpec, record: Row | undefined, withComputed: boolean) {
  const computed = typeof spec.default === 'function';
  const value = computed && !withComputed ? undefined : attempt(() => paramDefaults({ [name]: spec }, record)[name], undefined);
  return {
    name,
    type: spec.type,
    label: spec.label ?? name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase()),
    description: spec.description ?? null,
    required: spec.required ?? false,
    enum: spec.type === 'string' ? (spec.enum ?? null) : null,
    multiline: spec.type === 'string' ? (spec.multiline ?? false) : false,
    min: spec.type === 'integer' || spec.type === 'number' ? (spec.min ?? null) : null,
    max: spec.type === 'integer' || spec.type === 'number' ? (spec.max ?? null) : null,
    default: value ?? null,
    /** Filled per record when the job is queued (several records, or no record to compute it from). */
    perRecord: computed && !withComputed,
  };
}
