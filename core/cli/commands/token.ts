import type { Command } from 'commander';
import { ApiToken } from '../../auth/api-token.entity.js';
import { createToken, revokeToken } from '../../auth/tokens.js';
import { isRole, ROLES, type Role } from '../../roles.js';
import { cliActor, withHost } from '../context.js';
import { table, UsageError } from '../output.js';

export function registerToken(program: Command): void {
  const token = program.command('token').description('API tokens');
  token
    .command('create')
    .description('Create an API token; prints only the token, once, on stdout')
    .requiredOption('-r, --role <role>', `one of ${ROLES.join(', ')}`)
    .option('-n, --name <name>', 'what the token is for', 'cli')
    .action(async (options: { role: string; name: string }) => {
      if (!isRole(options.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got ${options.role}`);
      await withHost({}, async ({ runtime }) => {
        const created = await createToken(runtime.data, { name: options.name, role: options.role as Role, createdBy: cliActor().name });
        process.stdout.write(created.token + '\n');
      });
    });
  token
    .command('list')
    .description('List API tokens (never the tokens themselves)')
    .action(async () => {
      await withHost({}, async ({ runtime }) => {
        const tokens = await runtime.data.getRepository(ApiToken).find({ order: { createdAt: 'ASC' } });
        process.stdout.write(table(tokens as never, ['id', 'name', 'role', 'prefix', 'createdAt', 'lastUsedAt', 'revokedAt']) + '\n');
      });
    });
  token
    .command('revoke <id>')
    .description('Revoke an API token')
    .action(async (id: string) => {
      await withHost({}, async ({ runtime }) => {
        await revokeToken(runtime.data, id);
        process.stdout.write(`Revoked ${id}\n`);
      });
    });
}
