import { createHash, randomBytes } from 'node:crypto';
import { IsNull, type DataSource } from 'typeorm';
import { isUuid } from '../db/records.js';
import { MvError, validationError } from '../errors.js';
import { isRole, ROLES, type Actor, type Role } from '../roles.js';
import { ApiToken } from './api-token.entity.js';

const PREFIX = 'mvt_';
/** lastUsedAt is a hint, not an audit trail: write it at most once a minute per token. */
const TOUCH_EVERY_MS = 60_000;

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Creates a token; the returned value is the only time it is ever shown. */
export async function createToken(data: DataSource, options: { name: string; role: Role; createdBy: string }): Promise<{ token: string; record: ApiToken }> {
  if (!isRole(options.role)) throw validationError({ role: [`must be one of ${ROLES.join(', ')}`] }, 'Invalid API token');
  const token = PREFIX + randomBytes(32).toString('base64url');
  const repo = data.getRepository(ApiToken);
  const record = await repo.save(repo.create({ name: options.name, role: options.role, prefix: token.slice(0, 12), tokenHash: hash(token), createdBy: options.createdBy }));
  return { token, record };
}

/** The actor behind a bearer token, or undefined when it is unknown or revoked. */
export async function actorForToken(data: DataSource, token: string): Promise<Actor | undefined> {
  if (!token.startsWith(PREFIX)) return undefined;
  const repo = data.getRepository(ApiToken);
  const record = await repo.findOneBy({ tokenHash: hash(token), revokedAt: IsNull() });
  if (!record) return undefined;
  if (!record.lastUsedAt || Date.now() - record.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
    await repo.update({ id: record.id }, { lastUsedAt: new Date() });
  }
  return { kind: 'token', id: record.id, name: `token ${record.name}`, role: record.role };
}

export async function revokeToken(data: DataSource, id: string): Promise<void> {
  // A malformed id is unknown, not a database error.
  const { affected } = isUuid(id) ? await data.getRepository(ApiToken).update({ id, revokedAt: IsNull() }, { revokedAt: new Date() }) : { affected: 0 };
  if (!affected) throw new MvError('not_found', `No active token ${id}`);
}
