import type { Command } from 'commander';
import { loadInstalledModules } from '../../host.js';
import { Registry } from '../../registry.js';
import { config } from '../context.js';
import { table } from '../output.js';

export function registerModule(program: Command): void {
  const module = program.command('module').description('Installed modules');
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
}
