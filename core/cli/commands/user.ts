import type { Command } from 'commander';
import { createUser } from '../../auth/users.js';
import { isRole, ROLES, type Role } from '../../roles.js';
import { withHost } from '../context.js';
import { UsageError } from '../output.js';

export function registerUser(program: Command): void {
  const user = program.command('user').description('Back-office users');
  user
    .command('create')
    .description('Create a back-office user; without --password-stdin a password is generated and printed once')
    .requiredOption('-e, --email <email>', 'login email')
    .requiredOption('-r, --role <role>', `one of ${ROLES.join(', ')}`)
    .option('-n, --name <name>', 'display name')
    .option('--password-stdin', 'read the password from standard input (kept out of the shell history)')
    .action(async (options: { email: string; role: string; name?: string; passwordStdin?: boolean }) => {
      if (!isRole(options.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got ${options.role}`);
      const password = options.passwordStdin ? (await readStdin()).replace(/\r?\n$/, '') : undefined;
      await withHost({}, async ({ runtime }) => {
        const { user: created, generatedPassword } = await createUser(runtime.data, { email: options.email, role: options.role as Role, name: options.name, password });
        process.stdout.write(`Created ${created.role} ${created.email}\n`);
        if (generatedPassword) process.stdout.write(`Password (shown once): ${generatedPassword}\n`);
      });
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
