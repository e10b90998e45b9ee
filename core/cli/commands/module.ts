import { Option, type Command } from 'commander';
import { isMvError, MvError } from '../../errors.js';
import { loadInstalledModules } from '../../host.js';
import { createLogger } from '../../logger.js';
import { ModuleService, ON_CONFLICT, parseDependencyUrls, type ModuleChange, type ModuleOperationResult, type OnConflict } from '../../modules/service.js';
import { Registry } from '../../registry.js';
import { cliActor, config } from '../context.js';
import { exitCodeFor, table } from '../output.js';

interface OperationOptions {
  json?: boolean;
  /** Who asked, for the log: the server's user when it runs the command for its API or back-office. */
  actor?: string;
}

/** `--json` and the hidden `--actor` of install, upgrade and uninstall. */
function operationOptions(command: Command): Command {
  return command
    .option('--json', 'print the result (or the error, as {"error": {code, message, details}}) as JSON')
    .addOption(new Option('--actor <name>', 'who asked, for the log').hideHelp());
}

export function registerModule(program: Command): void {
  const module = program.command('module').description('Installed modules: list, install from git, upgrade, uninstall');
  module
    .command('list')
    .description('List installed modules with their entities and actions')
    .option('--json', 'print JSON (code, version, entities, actions)')
    .action(async (options: { json?: boolean }) => {
      // Reading modules needs no database: the registry comes from the module files alone.
      const modules = Registry.build(await loadInstalledModules(config())).describe();
      if (options.json) {
        process.stdout.write(JSON.stringify(modules, null, 2) + '\n');
        return;
      }
      const rows = modules.map((m) => ({
        code: m.code,
        version: m.version,
        source: m.source,
        entities: m.entities.map((e) => e.name).join(', '),
        actions: m.actions.length,
      }));
      process.stdout.write((rows.length ? table(rows, ['code', 'version', 'source', 'entities', 'actions']) : 'No module installed') + '\n');
    });
  operationOptions(
    module
      .command('install <git-url>')
      .description('Install a module from git, and first the dependencies it is missing; all or nothing')
      .option('--ref <ref>', 'branch, tag or commit (default: the default branch)')
      .option('--path <dir>', 'directory of the repository holding module.json (default: its root)')
      .option('--on-conflict <mode>', `when the module is already installed: ${ON_CONFLICT.join(', ')}`, 'fail')
      .option(
        '--dependency-url <code=url>',
        'get this dependency from <url>[#<ref>][:<path>] instead (url#ref, url#:path, url#ref:path; a plain url is the root of its default branch; repeatable)',
        (value: string, all: string[]) => [...all, value],
        [] as string[],
      ),
  ).action((url: string, options: OperationOptions & { ref?: string; path?: string; onConflict: string; dependencyUrl: string[] }) =>
    withService(options, (service, actor) =>
      service.install({ url, ref: options.ref, path: options.path, onConflict: options.onConflict as OnConflict, dependencyUrls: parseDependencyUrls(options.dependencyUrl) }, actor),
    ),
  );
  operationOptions(
    module
      .command('upgrade <code>')
      .description('Fetch the module again from its git origin (at --ref, or the same ref) and install that version; data is kept')
      .option('--ref <ref>', 'branch, tag or commit to upgrade to'),
  ).action((code: string, options: OperationOptions & { ref?: string }) => withService(options, (service, actor) => service.upgrade(code, { ref: options.ref }, actor)));
  operationOptions(
    module
      .command('uninstall <code>')
      .description('Uninstall a module no other installed module depends on; its tables and data stay unless --purge')
      .option('--purge', 'also revert its migrations: its tables and their data are dropped'),
  ).action((code: string, options: OperationOptions & { purge?: boolean }) => withService(options, (service, actor) => service.uninstall(code, { purge: options.purge }, actor)));
}

async function withService(options: OperationOptions, run: (service: ModuleService, actor: string) => Promise<ModuleOperationResult>): Promise<void> {
  const settings = config();
  // --json (what the server runs): log lines on stderr, which the server relays to its own log. Text: only
  // the human lines below (and mvctl's one line for a failure); the log goes to the data dir's files.
  const log = await createLogger(options.json ? { level: settings.logLevel, console: 'stderr' } : { level: settings.logLevel, dataDir: settings.dataDir, console: 'none' });
  try {
    const result = await run(new ModuleService({ config: settings, logger: log.logger }), options.actor ?? cliActor().name);
    if (options.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    else {
      for (const change of result.changes) process.stdout.write(describeChange(change) + '\n');
      if (result.restartRequired) process.stdout.write('Restart the server (mvctl start) to use the new set of modules.\n');
    }
  } catch (error) {
    if (!options.json) throw error;
    // The server reads it (core/modules/process.ts): the error as the API answers it, and the usual exit code.
    const known = isMvError(error) ? error : new MvError('internal', `Unexpected error: ${(error as Error)?.message ?? String(error)}`);
    process.stdout.write(JSON.stringify({ error: known.toJSON() }, null, 2) + '\n');
    process.exitCode = exitCodeFor(error);
  } finally {
    await log.close();
  }
}

function describeChange(change: ModuleChange): string {
  const origin = change.git ? ` from ${change.git.url}${change.git.path ? ` (${change.git.path})` : ''} at ${change.git.commit.slice(0, 12)}` : '';
  switch (change.action) {
    case 'skipped':
      return `Kept ${change.code} ${change.version}: already installed`;
    case 'uninstalled':
      return `Uninstalled ${change.code} ${change.version}; ${change.purged ? 'its tables were dropped' : 'its tables and data are kept'}`;
    default: {
      const verb = { installed: 'Installed', upgraded: 'Upgraded', reinstalled: 'Reinstalled' }[change.action];
      const previous = change.previousVersion ? ` (was ${change.previousVersion})` : '';
      const reason = change.dependencyOf ? `, needed by ${change.dependencyOf}` : '';
      return `${verb} ${change.code} ${change.version}${previous}${origin}${reason}`;
    }
  }
}
