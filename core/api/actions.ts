import { Router, type Request, type Response } from 'express';
import { MvError } from '../errors.js';
import type { Invocation } from '../jobs/action-runner.js';
import { isFinal } from '../jobs/job.entity.js';
import { jobViews } from '../jobs/job-access.js';
import type { Runtime } from '../runtime.js';
import { actorOf } from './auth.js';
import { handle } from './errors.js';
import { invalidQuery, queryBoolean, queryString } from './query.js';

const MAX_WAIT_SECONDS = 300;

/**
 * POST /entities/{Entity}/{id}/actions/{action} (instance): 202 with `{job}` and its Location;
 * POST /entities/{Entity}/actions/{action} (list, or bulk with `?ids=a,b`): 202 with `{jobs}`, whatever
 * their number, and when there is one job (a list action) also `job` and its Location. The body holds the
 * parameters. `?wait=SECONDS` answers 200 with the result if the jobs end in time; `?dryRun=true` asks the
 * action to say what it would send without sending it.
 */
export function actionsRoutes(runtime: Runtime): Router {
  const router = Router();
  const jobView = jobViews(runtime);
  const invoke = async (req: Request, res: Response, target: Pick<Invocation, 'recordId' | 'recordIds'>) => {
    const wait = waitSeconds(req);
    const jobs = await runtime.runner.invoke({
      entity: req.params.entity,
      action: req.params.action,
      ...target,
      params: paramsOf(req),
      actor: actorOf(req),
      dryRun: queryBoolean(req, 'dryRun') ?? false,
    });
    const ended = wait ? await Promise.all(jobs.map((job) => runtime.runner.wait(job.id, wait))) : jobs;
    res.status(wait && ended.every((job) => isFinal(job.status)) ? 200 : 202);
    return ended;
  };
  router.post(
    '/entities/:entity/:id/actions/:action',
    handle(async (req, res) => {
      const [job] = await invoke(req, res, { recordId: req.params.id });
      res.location(`${req.baseUrl}/jobs/${job.id}`).json({ job: jobView(job) });
    }),
  );
  router.post(
    '/entities/:entity/actions/:action',
    handle(async (req, res) => {
      const ids = queryString(req, 'ids')?.split(',').filter(Boolean);
      const jobs = (await invoke(req, res, { recordIds: ids })).map(jobView);
      // One job: the instance route's answer too, for clients expecting `job` and a Location.
      if (jobs.length !== 1) return res.json({ jobs });
      res.location(`${req.baseUrl}/jobs/${jobs[0].id}`).json({ jobs, job: jobs[0] });
    }),
  );
  return router;
}

export function paramsOf(req: Request): Record<string, unknown> {
  const body = req.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new MvError('invalid_request', 'The body must be a JSON object of action parameters');
  return body;
}

export function waitSeconds(req: Request, fallback = 0): number {
  const raw = queryString(req, 'wait');
  if (raw === undefined) return fallback;
  const seconds = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_WAIT_SECONDS) {
    throw invalidQuery('wait', `must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}`);
  }
  return seconds;
}
