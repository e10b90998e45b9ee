import { Router, type Request } from 'express';
import { isFinal, JOB_STATUSES, type JobStatus } from '../jobs/job.entity.js';
import { assertJobReadable, jobViews, readableJobEntities } from '../jobs/job-access.js';
import type { Role } from '../roles.js';
import type { Runtime } from '../runtime.js';
import { requireRole } from './auth.js';
import { handle } from './errors.js';
import { pageOf, setPageHeaders } from './pagination.js';
import { invalidQuery, queryString } from './query.js';

/**
 * GET /jobs, GET /jobs/{id}, GET /jobs/{id}/events (server-sent events), POST /jobs/{id}/cancel: only the
 * jobs of entities the caller may read, sensitive parameters hidden (see job-access.ts).
 */
export function jobsRoutes(runtime: Runtime): Router {
  const router = Router();
  const queue = runtime.queue;
  const jobView = jobViews(runtime);
  const readable = async (req: Request, role: Role, what: string) => {
    const actor = requireRole(req, role, what);
    const job = await queue.get(req.params.id);
    assertJobReadable(runtime, actor, job);
    return { actor, job };
  };

  router.get(
    '/jobs',
    handle(async (req, res) => {
      const actor = requireRole(req, 'viewer', 'Reading jobs');
      const { page, perPage } = pageOf(req);
      const status = queryString(req, 'status');
      if (status !== undefined && !(JOB_STATUSES as readonly string[]).includes(status)) throw invalidQuery('status', `must be one of ${JOB_STATUSES.join(', ')}`);
      const { jobs, total } = await queue.list({
        status: status as JobStatus | undefined,
        entity: queryString(req, 'entity'),
        recordId: queryString(req, 'recordId'),
        action: queryString(req, 'action'),
        entities: readableJobEntities(runtime, actor.role),
        page,
        perPage,
      });
      setPageHeaders(req, res, total, page, perPage);
      res.json({ items: jobs.map(jobView), total, page, perPage });
    }),
  );

  router.get(
    '/jobs/:id',
    handle(async (req, res) => {
      const { job } = await readable(req, 'viewer', 'Reading jobs');
      res.json({ job: jobView(job) });
    }),
  );

  router.post(
    '/jobs/:id/cancel',
    handle(async (req, res) => {
      const { actor, job } = await readable(req, 'operator', 'Cancelling jobs');
      res.json({ job: jobView(await queue.cancel(job.id, actor)) });
    }),
  );

  router.get(
    '/jobs/:id/events',
    handle(async (req, res) => {
      let { job } = await readable(req, 'viewer', 'Reading jobs');
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      let closed = false;
      req.on('close', () => (closed = true));
      const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      let sent = 0;
      let lastPing = Date.now();
      for (;;) {
        for (const step of job.steps.slice(sent)) send('progress', { ...step, status: job.status });
        sent = job.steps.length;
        if (isFinal(job.status)) {
          send('end', jobView(job));
          break;
        }
        if (closed) break;
        await queue.nextChange(job.id, 500);
        if (Date.now() - lastPing > 15_000) {
          res.write(': keep-alive\n\n');
          lastPing = Date.now();
        }
        job = await queue.get(job.id);
      }
      res.end();
    }),
  );
  return router;
}
