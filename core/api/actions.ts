import { Router, type Request, type Response } from 'express';
import { MvError } from '../errors.js';
import type { Invocation } from '../jobs/action-runner.js';
import { FINAL_STATUSES, type Job } from '../jobs/job.entity.js';
import { jobView } from '../jobs/job-view.js';
import type { Runtime } from '../runtime.js';
import { actorOf } from './auth.js';
import { handle } from './errors.js';

const MAX_WAIT_SECONDS = 300;

/**
 * POST /entities/{Entity}/{id}/actions/{action} (instance) and /entities/{Entity}/actions/{action}
 * (list, or bulk with `?ids=a,b`). The body holds the parameters. 202 with the job and its Location;
 * `?wait=SECONDS` answers 200 with the result if the job ends in time; `?dryRun=true` asks the action
 * to say what it would send without sending it.
 */
export function actionsRoutes(runtime: Runtime): Router {
  const router = Router();
  const invoke = async (req: Request, res: Response, target: Pick<Invocation, 'recordId' | 'recordIds'>) => {
    const wait = waitSeconds(req);
    const jobs = await runtime.runner.invoke({
      entity: req.params.entity,
      action: req.params.action,
      ...target,
      params: paramsOf(req),
      actor: actorOf(req),
      dryRun: req.query.dryRun === 'true',
    });
    const ended = wait ? await Promise.all(jobs.map((job) => runtime.runner.wait(job.id, wait))) : jobs;
    const done = ended.every((job) => (FINAL_STATUSES as string[]).includes(job.status));
    res.status(wait && done ? 200 : 202);
    if (jobs.length === 1) {
      res.location(`${req.baseUrl}/jobs/${jobs[0].id}`).json({ job: jobView(ended[0] as Job) });
    } else {
      res.json({ jobs: ended.map(jobView) });
    }
  };

  router.post('/entities/:entity/:id/actions/:action', handle((req, res) => invoke(req, res, { recordId: req.params.id })));
  router.post(
    '/entities/:entity/actions/:action',
    handle((req, res) => {
      const ids = typeof req.query.ids === 'string' ? req.query.ids.split(',').filter(Boolean) : undefined;
      return invoke(req, res, { recordIds: ids });
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
  if (req.query.wait === undefined) return fallback;
  const seconds = Number(req.query.wait);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_WAIT_SECONDS) {
    throw new MvError('validation_failed', `wait must be a number of seconds from 0 to ${MAX_WAIT_SECONDS}`, { fields: { wait: [`must be from 0 to ${MAX_WAIT_SECONDS}`] } });
  }
  return seconds;
}
