import { Router } from 'express';
import { isFinal } from '../jobs/job.entity.js';
import type { Runtime } from '../runtime.js';
import { actorOf } from './auth.js';
import { handle } from './errors.js';
import { paramsOf, waitSeconds } from './actions.js';

/**
 * Meveo's action route, so that existing Meveo clients keep working:
 * POST /meveo/api/rest/entityCustomization/entity/action/execute/{actionCode}/{appliesTo}/{entityCode}
 * with appliesTo `CE_<Entity>` and entityCode the record id. Like Meveo it answers when the action is
 * done (up to `?wait`, 60 s by default), but with the GUI message and the value, which Meveo dropped.
 */
export function meveoRoutes(runtime: Runtime): Router {
  const router = Router();
  router.post(
    '/entityCustomization/entity/action/execute/:actionCode/:appliesTo/:entityCode',
    handle(async (req, res) => {
      const entity = req.params.appliesTo.replace(/^CE_/, '');
      const [job] = await runtime.runner.invoke({
        entity,
        action: req.params.actionCode,
        recordId: req.params.entityCode,
        params: paramsOf(req),
        actor: actorOf(req),
      });
      const ended = await runtime.runner.wait(job.id, waitSeconds(req, 60));
      if (!isFinal(ended.status)) {
        return res.status(202).json({ status: 'PENDING', errorCode: null, message: `Still running: job ${job.id}`, jobId: job.id });
      }
      const ok = ended.status === 'succeeded';
      res.json({
        status: ok ? 'SUCCESS' : 'FAIL',
        errorCode: ok ? null : 'BUSINESS_API_EXCEPTION',
        message: ok ? ended.message : `Failed to execute action "${req.params.actionCode}". Failure reason ${ended.error}`,
        result: ended.value ?? null,
        jobId: job.id,
      });
    }),
  );
  return router;
}
