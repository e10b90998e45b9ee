import type { Command } from 'commander';
import { withHost } from '../context.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Apply the pending database migrations of the host and of every installed module')
    .action(async () => {
      // Opening the runtime applies them, in one transaction; what ran is in the log.
      await withHost({ migrate: true }, async () => {
        process.stdout.write('Database is up to date\n');
      });
    });
}
