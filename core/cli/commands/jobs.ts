import type { Command } from 'commander';
import { JOB_STATUSES, type JobStatus } from '../../jobs/job.entity.js';
import { jobViews } from '../../jobs/job-access.js';
import { cliActor, withHost } from '../context.js';
import { table, UsageError } from '../output.js';

export function registerJobs(program: Command): void {
  const jobs = program.command('jobs').description('Action jobs');
  jobs
    .command('list')
    .description('List recent jobs')
    .option('-s, --status <status>', `only jobs in this status (${JOB_STATUSES.join(', ')})`)
    .option('-e, --entity <entity>', 'only jobs on this entity')
    .option('-n, --limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (options: { status?: string; entity?: string; limit: string; json?: boolean }) => {
      if (options.status && !(JOB_STATUSES as readonly string[]).includes(options.status)) {
        throw new UsageError(`--status must be one of ${JOB_STATUSES.join(', ')}`);
      }
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive integer');
      await withHost({}, async ({ runtime }) => {
        const { jobs: found } = await runtime.queue.list({ status: options.status as JobStatus | undefined, entity: options.entity, perPage: limit });
        const views = found.map(jobViews(runtime));
        if (options.json) process.stdout.write(JSON.stringify(views, null, 2) + '\n');
        else process.stdout.write((views.length ? table(views, ['id', 'status', 'percent', 'entity', 'recordId', 'action', 'startedBy', 'createdAt']) : 'No jobs') + '\n');
      });
    });
  jobs
    .command('show <id>')
    .description('Show a job with its progress steps and result')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      await withHost({}, async ({ runtime }) => {
        const job = jobViews(runtime)(await runtime.queue.get(id));
        if (options.json) {
          process.stdout.write(JSON.stringify(job, null, 2) + '\n');
          return;
        }
        const lines = [
          `Job ${job.id}: ${job.action} on ${job.entity}${job.recordId ? ` ${job.recordId}` : ''}`,
          `Status: ${job.status} (${job.percent}%)${job.dryRun ? ' [dry run]' : ''}, started by ${job.startedBy}, attempts ${job.attempts}`,
          `Created ${job.createdAt}${job.finishedAt ? `, finished ${job.finishedAt} (${job.durationMs} ms)` : ''}`,
          ...job.steps.map((s) => `  ${s.at}  ${String(s.percent).padStart(3)}%  ${s.message}`),
          ...(job.message ? [`Result: ${job.message}`] : []),
          ...(job.error ? [`Error: ${job.error.message}${job.error.cause ? ` (cause: ${job.error.cause})` : ''}`] : []),
        ];
        process.stdout.write(lines.join('\n') + '\n');
      });
    });
  jobs
    .command('cancel <id>')
    .description('Cancel a queued or running job')
    .action(async (id: string) => {
      await withHost({}, async ({ runtime }) => {
        const job = await runtime.queue.cancel(id, cliActor());
        process.stdout.write(job.status === 'cancelled' ? `Cancelled ${id}\n` : `Cancel requested for ${id}: it stops at its next step\n`);
      });
    });
}
