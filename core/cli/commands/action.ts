import type { Command } from 'commander';
import { isFinal } from '../../jobs/job.entity.js';
import { jobViews } from '../../jobs/job-access.js';
import { cliActor, withHost } from '../context.js';
import { EXIT, ProgressPrinter, UsageError } from '../output.js';

export function registerAction(program: Command): void {
  const action = program.command('action').description('Run entity actions');
  action
    .command('run <entity> [target] [action]')
    .description('Run an action on a record (<entity> <id> <action>) or on the entity (<entity> --list <action>) as a job')
    .option('--list', 'run a list action (no record)')
    .option('-p, --param <key=value>', 'an action parameter (repeatable)', collect, [])
    .option('-w, --wait', 'wait for the end, showing progress; exit 1 if the action fails')
    .option('--dry-run', 'ask the action what it would send, without sending it')
    .option('--json', 'print the job as JSON')
    .action(async (entity: string, target: string | undefined, actionCode: string | undefined, options: { list?: boolean; param: string[]; wait?: boolean; dryRun?: boolean; json?: boolean }) => {
      const [recordId, code] = options.list ? [undefined, target] : [target, actionCode];
      if (!code || (options.list && actionCode)) {
        throw new UsageError('usage: mvctl action run <Entity> <id> <action>  or  mvctl action run <Entity> --list <action>');
      }
      const params = Object.fromEntries(
        options.param.map((pair) => {
          const at = pair.indexOf('=');
          if (at < 1) throw new UsageError(`--param takes key=value, got "${pair}"`);
          return [pair.slice(0, at), pair.slice(at + 1)];
        }),
      );
      const exitCode = await withHost({}, async ({ runtime }) => {
        const jobView = jobViews(runtime);
        const [job] = await runtime.runner.invoke({ entity, action: code, recordId, params, actor: cliActor(), dryRun: options.dryRun });
        if (!options.wait) {
          process.stdout.write(options.json ? JSON.stringify(jobView(job), null, 2) + '\n' : `Queued job ${job.id}\n`);
          return EXIT.ok;
        }
        // A worker for this one job runs here while we wait, so that it runs even when no server is up; it
        // takes no other job (a server's worker may take this one first: we watch it all the same).
        runtime.startWorker(job.id);
        const printer = new ProgressPrinter();
        let current = jobView(job);
        for (;;) {
          printer.update(current);
          if (isFinal(current.status)) break;
          await runtime.queue.nextChange(job.id, 500);
          current = jobView(await runtime.queue.get(job.id));
        }
        printer.done();
        if (options.json) process.stdout.write(JSON.stringify(current, null, 2) + '\n');
        else if (current.status === 'succeeded') process.stdout.write(`${current.message}\n`);
        else process.stderr.write(`Failed to execute action "${code}". Failure reason: ${current.error?.message ?? current.status}\n`);
        return current.status === 'succeeded' ? EXIT.ok : EXIT.failed;
      });
      process.exitCode = exitCode;
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
