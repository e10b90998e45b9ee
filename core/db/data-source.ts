import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { DataSource, type EntitySubscriberInterface, type InsertEvent, type UpdateEvent } from 'typeorm';
import type { EntityClass } from '../action.js';
import { fieldsOf } from '../fields.js';
import { SecretBox } from '../secrets.js';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseOptions {
  /** postgres://... ; the SQLite file is used when absent. */
  databaseUrl?: string;
  /** SQLite file, or ':memory:'. */
  sqlitePath: string;
  /** PostgreSQL schema to use instead of `public` (tests use one per suite). */
  schema?: string;
  entities: EntityClass[];
  secrets: SecretBox;
}

// Timestamps are `timestamp` on PostgreSQL; read and write them as UTC whatever the process time zone.
pg.defaults.parseInputDatesAsUTC = true;
pg.types.setTypeParser(pg.types.builtins.TIMESTAMP, (value) => new Date(value.replace(' ', 'T') + 'Z'));

export function dialectOf(data: DataSource): Dialect {
  return data.options.type === 'postgres' ? 'postgres' : 'sqlite';
}

export async function openDataSource(options: DatabaseOptions): Promise<DataSource> {
  const common = { entities: options.entities, synchronize: false, migrationsRun: false, logging: false } as const;
  let data: DataSource;
  if (options.databaseUrl) {
    data = new DataSource({
      ...common,
      type: 'postgres',
      url: options.databaseUrl,
      schema: options.schema,
      // gen_random_uuid() is built in since PostgreSQL 13: no extension to install.
      uuidExtension: 'pgcrypto',
      installExtensions: false,
      extra: { max: 10, ...(options.schema && { options: `-c search_path=${options.schema}` }) },
    });
  } else {
    if (options.sqlitePath !== ':memory:') fs.mkdirSync(path.dirname(options.sqlitePath), { recursive: true });
    data = new DataSource({
      ...common,
      type: 'better-sqlite3',
      database: options.sqlitePath,
      // WAL lets readers (the API, a second process) go on while a job writes; with WAL, synchronous=NORMAL
      // cannot corrupt the database and spares an fsync per transaction (a power cut may lose the last ones).
      enableWAL: true,
      prepareDatabase: (db: { pragma(source: string): unknown }) => {
        db.pragma('synchronous = NORMAL');
      },
      timeout: 15_000,
    });
  }
  await data.initialize();
  data.subscribers.push(new SecretSealer(options.secrets), new Clock());
  return data;
}

/**
 * Seals every plain secret before it reaches the database, whoever writes it (the API, the back-office,
 * an action). Values already sealed are left as they are.
 */
class SecretSealer implements EntitySubscriberInterface {
  constructor(private readonly secrets: SecretBox) {}

  beforeInsert(event: InsertEvent<any>): void {
    this.seal(event.entity, event.metadata.target);
  }

  beforeUpdate(event: UpdateEvent<any>): void {
    this.seal(event.entity, event.metadata.target);
  }

  private seal(entity: Record<string, unknown> | undefined, target: unknown): void {
    if (!entity || typeof target !== 'function') return;
    for (const field of fieldsOf(target)) {
      if (!field.secret) continue;
      const value = entity[field.name];
      if (value === '') entity[field.name] = null;
      else if (typeof value === 'string' && !SecretBox.isSealed(value)) {
        entity[field.name] = this.secrets.seal(value, `${target.name}.${field.name}`);
      }
    }
  }
}

/**
 * Creation times to the millisecond on both databases (SQLite's own default has whole seconds): jobs are
 * taken in the order they were queued, and lists sort the way things happened.
 */
class Clock implements EntitySubscriberInterface {
  beforeInsert(event: InsertEvent<any>): void {
    const now = new Date();
    for (const column of [event.metadata.createDateColumn, event.metadata.updateDateColumn]) {
      if (column && event.entity && event.entity[column.propertyName] === undefined) event.entity[column.propertyName] = now;
    }
  }
}
