import connectPgSimple from 'connect-pg-simple';
import session, { Store, type SessionData } from 'express-session';
import type pg from 'pg';
import { LessThan, type DataSource, type Repository } from 'typeorm';
import { AdminSession } from '../core/auth/admin-session.entity.js';
import { dialectOf } from '../core/db/data-source.js';
import { sql } from '../core/db/sql.js';
import type { Logger } from '../core/logger.js';

const DAY_MS = 24 * 3600_000;
const PRUNE_EVERY_MS = 15 * 60_000;

export type ClosableStore = Store & { close(): Promise<void> };

/**
 * Sessions live in the database, in `mv_admin_session` (created by the core migrations): connect-pg-simple
 * on PostgreSQL, on the pool TypeORM already has; a TypeORM store on SQLite. Never the memory store.
 */
export function sessionStore(data: DataSource, logger: Logger): ClosableStore {
  if (dialectOf(data) === 'sqlite') return new TypeormSessionStore(data.getRepository(AdminSession), logger);
  const PgStore = connectPgSimple(session);
  const store = new PgStore({
    pool: (data.driver as unknown as { master: pg.Pool }).master,
    schemaName: (data.options as { schema?: string }).schema,
    tableName: 'mv_admin_session',
    createTableIfMissing: false,
    errorLog: (...args: unknown[]) => logger.warn({ detail: args.map(String).join(' ') }, 'session store error'),
  });
  // Its close() returns a promise, though its types say void.
  return store as unknown as ClosableStore;
}

/**
 * Ends every session of a user (a changed password): sessions are rolling, and a session is otherwise
 * only ended when its user is disabled or deleted. The session is JSON text in both stores.
 */
export async function endSessionsOf(data: DataSource, userId: string): Promise<void> {
  const id = dialectOf(data) === 'postgres' ? `("sess"::json -> 'adminUser' ->> 'id')` : `json_extract("sess", '$.adminUser.id')`;
  await sql(data, `DELETE FROM "mv_admin_session" WHERE ${id} = ?`, [userId]);
}

/** express-session's store interface over the TypeORM repository of `mv_admin_session`. */
export class TypeormSessionStore extends Store {
  private readonly pruner: NodeJS.Timeout;

  constructor(
    private readonly repo: Repository<AdminSession>,
    private readonly logger: Logger,
  ) {
    super();
    this.pruner = setInterval(() => this.prune().catch((error) => this.logger.warn({ err: error }, 'could not prune sessions')), PRUNE_EVERY_MS).unref();
  }

  override get(sid: string, callback: (error: unknown, session?: SessionData | null) => void): void {
    this.repo
      .findOneBy({ sid })
      .then((row) => callback(null, row && row.expire.getTime() > Date.now() ? (JSON.parse(row.sess) as SessionData) : null))
      .catch((error) => callback(error));
  }

  override set(sid: string, data: SessionData, callback?: (error?: unknown) => void): void {
    this.repo
      .upsert({ sid, sess: JSON.stringify(data), expire: expiry(data) }, ['sid'])
      .then(() => callback?.())
      .catch((error) => callback?.(error));
  }

  override touch(sid: string, data: SessionData, callback?: () => void): void {
    this.repo
      .update({ sid }, { expire: expiry(data) })
      .catch((error) => this.logger.warn({ err: error }, 'could not extend a session'))
      .finally(() => callback?.());
  }

  override destroy(sid: string, callback?: (error?: unknown) => void): void {
    this.repo
      .delete({ sid })
      .then(() => callback?.())
      .catch((error) => callback?.(error));
  }

  async prune(): Promise<void> {
    await this.repo.delete({ expire: LessThan(new Date()) });
  }

  async close(): Promise<void> {
    clearInterval(this.pruner);
  }
}

function expiry(data: SessionData): Date {
  const expires = data.cookie?.expires;
  return expires ? new Date(expires) : new Date(Date.now() + DAY_MS);
}
