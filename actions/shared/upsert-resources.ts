import { randomFillSync } from 'node:crypto';
import type { EntityManager, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata.js';
import type { EntityClass } from 'mv-infra/core';
import type { Ownership } from '../../entities/provider-resource.js';
import { chunks } from './chunks.js';

/** Keeps each statement under both databases' limit on bound parameters. */
const MAX_PARAMETERS = 30_000;
/** Rows per SQLite statement at most: a power of two (see insertRows). */
const SQLITE_ROWS = 128;

export type ResourceKey = `${string}|${string}`;
export const keyOf = (zone: string | null | undefined, providerSideId: string): ResourceKey => `${zone ?? ''}|${providerSideId}`;

export interface UpsertOptions<T> {
  /** Ownership of records created by this write: `observed` for imports, `managed` for what we created. */
  ownershipOfNew: Ownership;
  /** Columns a write may change on records that exist already (never their ownership). */
  update: (keyof T & string)[];
}

/** The record id of each resource written, by zone and provider id, and how many of them are new records. */
export type WrittenIds = Map<ResourceKey, string> & { added: number };

type Row<T> = Partial<T> & { providerSideId: string; zone: string | null };

/**
 * Writes provider resources of one account by their provider id, in bulk: unknown ones are inserted,
 * known ones updated in place (keeping their id and ownership). Multi-row statements in the caller's
 * transaction; a sync of 10,000 servers is a few dozen statements, not 10,000 round trips. A resource
 * given twice (pages that shifted while they were read) is written once, as last given. A resource
 * recorded by someone else since it was looked up (a create, a refresh) is updated, not inserted again.
 */
export async function upsertResources<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityClass<T>,
  serviceProviderId: string,
  rows: Row<T>[],
  options: UpsertOptions<T>,
): Promise<WrittenIds> {
  const unique = new Map<ResourceKey, Row<T>>();
  for (const row of rows) {
    const key = keyOf(row.zone, row.providerSideId);
    unique.delete(key);
    unique.set(key, row);
  }
  const existing = await idsOf(manager, entity, serviceProviderId, unique.values());
  const written = Object.assign(new Map<ResourceKey, string>(), { added: 0 });
  const inserts: Batch = { rows: [], ids: [] };
  const updates: Batch = { rows: [], ids: [] };
  // forEach rather than for...of: no [key, row] pair allocated per row.
  unique.forEach((row, key) => {
    const known = existing.get(key);
    const batch = known ? updates : inserts;
    const id = known ?? newId();
    batch.rows.push(row);
    batch.ids.push(id);
    written.set(key, id);
  });
  // Let go of before the statements, which allocate the most (this function's frame outlives them).
  unique.clear();
  existing.clear();
  const metadata = manager.connection.getMetadata(entity);
  const column = (name: string) => metadata.findColumnWithPropertyName(name)!;
  const now = new Date();
  // createdAt only fills the insert half of an update; an existing record keeps its own.
  const shared = { serviceProviderId, createdAt: now, updatedAt: now };
  const overwrite = [...new Set([...options.update, 'updatedAt'])].map(column);
  // New records, unless the same resource was recorded meanwhile: then that record is updated, and its id is the one returned.
  const natural = naturalKey(metadata);
  const returned = await insertRows(manager, metadata, inserts, { ...shared, ownership: options.ownershipOfNew }, natural && { target: natural, overwrite, returning: [metadata.primaryColumns[0], ...natural] });
  // Every row inserted comes back: with the id it was given, or with the id of the record it met.
  const [idName, zoneName, providerIdName] = [metadata.primaryColumns[0], column('zone'), column('providerSideId')].map((c) => c.databaseName);
  let met = 0;
  for (const row of returned) {
    const id = String(row[idName]);
    const key = keyOf(row[zoneName], row[providerIdName]);
    if (written.get(key) === id) continue;
    written.set(key, id);
    met++;
  }
  written.added = inserts.rows.length - met;
  // Every row exists: the insert always conflicts on the primary key and becomes an update of `overwrite`.
  await insertRows(manager, metadata, updates, shared, { target: [metadata.primaryColumns[0]], overwrite });
  return written;
}

/** The (provider, zone, provider id) unique index of a provider resource, if the entity has it. */
function naturalKey(metadata: EntityMetadata): ColumnMetadata[] | undefined {
  const wanted = ['serviceProviderId', 'zone', 'providerSideId'];
  const index = metadata.indices.find((i) => i.isUnique && i.columns.length === wanted.length && wanted.every((name) => i.columns.some((c) => c.propertyName === name)));
  return index?.columns;
}

/**
 * Record ids of these resources of the account, by zone and provider id: only the rows written, looked up
 * zone by zone through the (provider, zone, provider id) index, not the whole table.
 */
async function idsOf<T extends ObjectLiteral>(manager: EntityManager, entity: EntityClass<T>, serviceProviderId: string, rows: Iterable<{ zone: string | null; providerSideId: string }>): Promise<Map<ResourceKey, string>> {
  const byZone = new Map<string | null, string[]>();
  for (const row of rows) (byZone.get(row.zone) ?? byZone.set(row.zone, []).get(row.zone)!).push(row.providerSideId);
  const ids = new Map<ResourceKey, string>();
  for (const [zone, providerIds] of byZone) {
    for (const slice of chunks(providerIds)) {
      const found: { id: string; providerSideId: string }[] = await manager
        .createQueryBuilder(entity, 'r')
        .select(['r.id AS id', 'r.providerSideId AS "providerSideId"'])
        .where('r.serviceProviderId = :serviceProviderId', { serviceProviderId })
        .andWhere(zone === null ? 'r.zone IS NULL' : 'r.zone = :zone', { zone })
        .andWhere('r.providerSideId IN (:...ids)', { ids: slice })
        .getRawMany();
      for (const row of found) ids.set(keyOf(zone, row.providerSideId), row.id);
    }
  }
  return ids;
}

/** Record ids of the account's resources (of one zone, if given), by zone and provider id. */
export async function existingIds<T extends ObjectLiteral>(manager: EntityManager, entity: EntityClass<T>, serviceProviderId: string, zone?: string): Promise<Map<ResourceKey, string>> {
  const query = manager
    .createQueryBuilder(entity, 'r')
    .select(['r.id AS id', 'r.zone AS zone', 'r.providerSideId AS "providerSideId"'])
    .where('r.serviceProviderId = :serviceProviderId', { serviceProviderId });
  if (zone !== undefined) query.andWhere('r.zone = :zone', { zone });
  const rows: { id: string; zone: string | null; providerSideId: string | null }[] = await query.getRawMany();
  return new Map(rows.filter((r) => r.providerSideId).map((r) => [keyOf(r.zone, r.providerSideId!), r.id]));
}

/** Rows to write and their record ids, in the same order. */
interface Batch {
  rows: ObjectLiteral[];
  ids: string[];
}

interface OnConflict {
  /** The unique columns a row may already be recorded under. */
  target: ColumnMetadata[];
  /** What an existing record takes from the row (only the columns the statement sets). */
  overwrite: ColumnMetadata[];
  /** Columns of every written record to return. */
  returning?: ColumnMetadata[];
}

/**
 * Multi-row `INSERT` statements (with `ON CONFLICT ... DO UPDATE` when asked), written here rather than by
 * TypeORM's insert builder, whose parameter bookkeeping grows with the square of the values (10,000
 * servers took seconds to build, not to run). Values go through the driver as the builder sends them;
 * `shared` values are the same for every row. Rows are written in groups of the same columns: a column a
 * row leaves undefined is not in its statement, so that a new record takes its default and an existing
 * one keeps its value. Returns the `returning` columns of the written records.
 */
async function insertRows(manager: EntityManager, metadata: EntityMetadata, batch: Batch, shared: ObjectLiteral, conflict?: OnConflict): Promise<ObjectLiteral[]> {
  if (!batch.rows.length) return [];
  if (metadata.columns.some((column) => column.embeddedMetadata)) throw new Error(`${metadata.name}: embedded columns are not supported by upsertResources`);
  const insertable = metadata.columns.filter((column) => column.isInsert);
  const perRow = insertable.filter((column) => !column.isPrimary && !(column.propertyPath in shared)).map((column) => column.propertyPath);
  // Rows by the columns they set: usually one group. A row's shape is a number (a bit per column), not a
  // string built cell by cell: that string was most of what a 10,000-server sync allocated here.
  const shapeOf = (row: ObjectLiteral): number | string => {
    if (perRow.length > 52) return perRow.map((property) => (row[property] === undefined ? '0' : '1')).join('');
    let shape = 0;
    for (let c = 0; c < perRow.length; c++) if (row[perRow[c]] !== undefined) shape += 2 ** c;
    return shape;
  };
  const sets = (shape: number | string, c: number) => (typeof shape === 'string' ? shape[c] === '1' : Math.floor(shape / 2 ** c) % 2 === 1);
  const groups = new Map<number | string, Batch>();
  for (let i = 0; i < batch.rows.length; i++) {
    const shape = shapeOf(batch.rows[i]);
    let group = groups.get(shape);
    if (!group) groups.set(shape, (group = { rows: [], ids: [] }));
    group.rows.push(batch.rows[i]);
    group.ids.push(batch.ids[i]);
  }
  const returned: ObjectLiteral[] = [];
  for (const [shape, group] of groups) {
    const set = new Set(perRow.filter((_, c) => sets(shape, c)));
    const columns = insertable.filter((column) => column.isPrimary || column.propertyPath in shared || set.has(column.propertyPath));
    for (const row of await insertGroup(manager, metadata, group, shared, columns, conflict)) returned.push(row);
  }
  return returned;
}

async function insertGroup(manager: EntityManager, metadata: EntityMetadata, batch: Batch, shared: ObjectLiteral, columns: ColumnMetadata[], conflict?: OnConflict): Promise<ObjectLiteral[]> {
  const driver = manager.connection.driver;
  const sqlite = driver.options.type !== 'postgres';
  const name = (column: ColumnMetadata) => driver.escape(column.databaseName);
  // Where each cell comes from: the row's id, a value shared by all rows (prepared once), or the row.
  type Source = { kind: 'id' } | { kind: 'shared'; value: unknown } | { kind: 'row'; property: string; prepare: (value: unknown) => unknown };
  const sources = columns.map((column): Source =>
    column.isPrimary
      ? { kind: 'id' }
      : column.propertyPath in shared
        ? { kind: 'shared', value: driver.preparePersistentValue(shared[column.propertyPath], column) }
        : { kind: 'row', property: column.propertyPath, prepare: preparer(column, sqlite, driver) },
  );
  const table = metadata.tablePath.split('.').map((part) => driver.escape(part)).join('.');
  const head = `INSERT INTO ${table} (${columns.map(name).join(', ')}) VALUES `;
  // Only what this statement sets: EXCLUDED of a column left out would be its default, not the record's value.
  const overwrite = conflict?.overwrite.filter((column) => columns.includes(column)) ?? [];
  const tail = conflict
    ? ` ON CONFLICT (${conflict.target.map(name).join(', ')}) DO UPDATE SET ${overwrite.map((c) => `${name(c)} = EXCLUDED.${name(c)}`).join(', ')}` +
      (conflict.returning ? ` RETURNING ${conflict.returning.map(name).join(', ')}` : '')
    : '';
  // SQLite's placeholders are all `?`: every tuple is the same text.
  const tuple = sqlite ? `(${columns.map(() => '?').join(', ')})` : undefined;
  const most = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
  const returned: ObjectLiteral[] = [];
  for (let start = 0, end = 0; start < batch.rows.length; start = end) {
    const left = Math.min(batch.rows.length - start, most);
    // SQLite statements stay prepared in the driver's cache (100 of them, each about 2.5 MB for 30,000
    // parameters): a few sizes of up to SQLITE_ROWS rows keep it small and make each text reusable.
    end = start + (sqlite ? Math.min(SQLITE_ROWS, 2 ** Math.floor(Math.log2(left))) : left);
    // Sized once: growing a 30,000-value array by pushes copies it over and over.
    const parameters: unknown[] = new Array((end - start) * sources.length);
    let count = 0;
    const tuples: string[] = [];
    for (let i = start; i < end; i++) {
      const row = batch.rows[i];
      const cells: string[] | undefined = tuple ? undefined : [];
      for (const source of sources) {
        // Rows are flat: one value per column property, never a related entity.
        const value = source.kind === 'id' ? batch.ids[i] : source.kind === 'shared' ? source.value : source.prepare(row[source.property]);
        parameters[count] = value;
        cells?.push(driver.createParameter('', count));
        count++;
      }
      tuples.push(tuple ?? `(${cells!.join(', ')})`);
    }
    const result = await manager.query(head + tuples.join(', ') + tail, parameters);
    if (conflict?.returning) returned.push(...(result as ObjectLiteral[]));
  }
  return returned;
}

/**
 * The driver's conversion of a value for a column, except SQLite dates: TypeORM's formatting builds a
 * dozen strings per date (most of what a 10,000-server sync allocated); the same text, from toISOString.
 */
function preparer(column: ColumnMetadata, sqlite: boolean, driver: EntityManager['connection']['driver']): (value: unknown) => unknown {
  const date = sqlite && !column.transformer && (column.type === 'datetime' || column.type === Date);
  // The last date written in this column, and its text: rows of one listing share their sync time.
  let lastTime = NaN;
  let lastText = '';
  return (value) => {
    if (date && value instanceof Date) {
      const time = value.getTime();
      if (time !== lastTime) {
        const iso = value.toISOString(); // 2024-05-01T12:34:56.789Z → 2024-05-01 12:34:56.789
        lastTime = time;
        lastText = `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
      }
      return lastText;
    }
    return driver.preparePersistentValue(value, column);
  };
}

/** Record ids (random UUIDs, version 4) are made 256 at a time from one random fill. */
const IDS_PER_FILL = 256;
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const idBytes = Buffer.alloc(16 * IDS_PER_FILL);
const idText = Buffer.alloc(36 * IDS_PER_FILL);
let nextId = IDS_PER_FILL;

/**
 * A new record id, as crypto.randomUUID() makes them, but as one flat string: randomUUID joins twenty
 * pieces (about half a kilobyte of short-lived strings per id, 40,000 ids in a sync of 10,000 servers).
 */
function newId(): string {
  if (nextId === IDS_PER_FILL) {
    randomFillSync(idBytes);
    for (let n = 0, out = 0; n < IDS_PER_FILL; n++) {
      const at = n * 16;
      idBytes[at + 6] = (idBytes[at + 6] & 0x0f) | 0x40; // version 4
      idBytes[at + 8] = (idBytes[at + 8] & 0x3f) | 0x80; // RFC 4122 variant
      for (let i = 0; i < 16; i++) {
        if (i === 4 || i === 6 || i === 8 || i === 10) idText[out++] = 0x2d; // -
        idText[out++] = HEX_DIGITS[idBytes[at + i] >> 4];
        idText[out++] = HEX_DIGITS[idBytes[at + i] & 0x0f];
      }
    }
    nextId = 0;
  }
  const start = 36 * nextId++;
  return idText.toString('latin1', start, start + 36);
}
