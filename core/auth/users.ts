import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { validate } from 'class-validator';
import type { DataSource } from 'typeorm';
import { constraintMessages, isMvError, validationError, MvError } from '../errors.js';
import type { Logger } from '../logger.js';
import { isRole, ROLES, type Role } from '../roles.js';
import { isUniqueViolation } from '../db/sql.js';
import { User } from './user.entity.js';

export const MIN_PASSWORD = 12;

export async function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** Creates a back-office user; without a password, one is generated and returned (to show once). */
export async function createUser(
  data: DataSource,
  options: { email: string; role: Role; name?: string; password?: string },
): Promise<{ user: User; generatedPassword?: string }> {
  const generatedPassword = options.password ? undefined : generatePassword();
  const password = options.password ?? generatedPassword!;
  const repo = data.getRepository(User);
  const user = repo.create({ email: options.email.trim().toLowerCase(), name: options.name ?? null, role: options.role, passwordHash: 'pending' });
  const errors: Record<string, string[]> = {};
  for (const error of await validate(user)) errors[error.property] = constraintMessages(error);
  if (!isRole(options.role)) errors.role = [`must be one of ${ROLES.join(', ')}`];
  if (password.length < MIN_PASSWORD) errors.password = [`must be at least ${MIN_PASSWORD} characters`];
  if (Object.keys(errors).length) throw validationError(errors, 'Invalid user');
  const taken = () => new MvError('conflict', `A user with the email ${user.email} already exists`);
  if (await repo.existsBy({ email: user.email })) throw taken();
  user.passwordHash = await hashPassword(password);
  try {
    return { user: await repo.save(user), generatedPassword };
  } catch (error) {
    // Created meanwhile by someone else (the check above is not a lock): the unique email decides.
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
}

/**
 * The first start creates an admin: from ADMIN_EMAIL/ADMIN_PASSWORD, or with a generated password printed
 * once to the console (not to the log files).
 */
export async function ensureFirstAdmin(data: DataSource, options: { email?: string; password?: string; logger: Logger }): Promise<void> {
  const users = data.getRepository(User);
  if (await users.count()) return;
  const email = options.email ?? 'admin@localhost';
  let generatedPassword: string | undefined;
  try {
    ({ generatedPassword } = await createUser(data, { email, role: 'admin', name: 'Administrator', password: options.password }));
  } catch (error) {
    // Another instance starting at the same moment created it first.
    if (isMvError(error) && error.code === 'conflict' && (await users.count())) return;
    throw error;
  }
  if (generatedPassword) {
    process.stdout.write(`\nFirst start: created the admin user ${email} with the password\n\n    ${generatedPassword}\n\nIt is shown only this once. Set ADMIN_EMAIL and ADMIN_PASSWORD to choose them instead.\n\n`);
  } else {
    options.logger.info({ email }, 'created the first admin user');
  }
}
