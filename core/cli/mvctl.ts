#!/usr/bin/env node
import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { VERSION } from '../server.js';
import { registerAction } from './commands/action.js';
import { registerJobs } from './commands/jobs.js';
import { registerMigrate } from './commands/migrate.js';
import { registerModule } from './commands/module.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerStart } from './commands/start.js';
import { registerToken } from './commands/token.js';
import { registerUser } from './commands/user.js';
import { describeError, EXIT, exitCodeFor } from './output.js';

const program = new Command('mvctl')
  .description('mv-infra: manage cloud infrastructure from modules, entities and actions')
  .version(VERSION)
  .showHelpAfterError()
  .exitOverride();

for (const register of [registerStart, registerSandbox, registerMigrate, registerModule, registerToken, registerUser, registerAction, registerJobs]) register(program);
program.commands.forEach(function exitOverride(command: Command) {
  command.exitOverride();
  command.commands.forEach(exitOverride);
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are not errors; everything else commander refuses is a usage error.
    process.exitCode = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? EXIT.ok : EXIT.usage;
  } else {
    process.stderr.write(`mvctl: ${describeError(error)}\n`);
    process.exitCode = exitCodeFor(error);
  }
}
