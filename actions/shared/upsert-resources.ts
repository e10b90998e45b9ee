import { randomUUID } from 'node:crypto';
import type { EntityManager, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata.js';
import type { EntityClass } from 'mv-infra/core';
import type { Ownership } from '../../entities/provider-resource.js';

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

/**
 * Writes provider resources of one account by their provider id, in bulk: unknown ones are inserted,
 * known ones updated in place (keeping their id and ownership). Multi-row statements in the caller's
 * transaction; a sync of 10,000 servers is a few dozen statements, not 10,000 round trips.
 * Returns the record id of each resource written, by zone and provider id.
 */
export async function upsertResources<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityClass<T>,
  serviceProviderId: string,
  rows: (Partial<T> & { providerSideId: string; zone: string | null })[],
  options: UpsertOptions<T>,
): Promise<Map<ResourceKey, string>> {
  const existing = await idsOf(manager, entity, serviceProviderId, rows);
  const written = new Map<ResourceKey, string>();
  const now = new Date();
  const inserts: Batch = { rows: [], ids: [] };
  const updates: Batch = { rows: [], ids: [] };
  for (const row of rows) {
    const key = keyOf(row.zone, row.providerSideId);
    const known = existing.get(key);
    const batch = known ? updates : inserts;
    const id = known ?? randomUUID();
    batch.rows.push(row);
    batch.ids.push(id);
    written.set(key, id);
  }
  const metadata = manager.connection.getMetadata(entity);
  // createdAt only fills the insert half of an update; an existing record keeps its own.
  const shared = { serviceProviderId, createdAt: now, updatedAt: now };
  await insertRows(manager, metadata, inserts, { ...shared, ownership: options.ownershipOfNew });
  const overwrite = [...new Set([...options.update, 'updatedAt'])].map((name) => metadata.findColumnWithPropertyName(name)!);
  // Every row exists: the insert always conflicts on the primary key and becomes an update of `overwrite`.
  await insertRows(manager, metadata, updates, shared, overwrite);
  return written;
}

/** Provider ids per `IN (...)` list: under both databases' limit on bound parameters. */
const IN_LIST = 1000;

/**
 * Record ids of these resources of the account, by zone and provider id: only the rows written, looked up
 * zone by zone through the (provider, zone, provider id) index, not the whole table.
 */
async function idsOf<T extends ObjectLiteral>(manager: EntityManager, entity: EntityClass<T>, serviceProviderId: string, rows: { zone: string | null; providerSideId: string }[]): Promise<Map<ResourceKey, string>> {
  const byZone = new Map<string | null, Set<string>>();
  for (const row of rows) (byZone.get(row.zone) ?? byZone.set(row.zone, new Set()).get(row.zone)!).add(row.providerSideId);
  const ids = new Map<ResourceKey, string>();
  for (const [zone, set] of byZone) {
    const providerIds = [...set];
    for (let i = 0; i < providerIds.length; i += IN_LIST) {
      const found: { id: string; providerSideId: string }[] = await manager
        .createQueryBuilder(entity, 'r')
        .select(['r.id AS id', 'r.providerSideId AS "providerSideId"'])
        .where('r.serviceProviderId = :serviceProviderId', { serviceProviderId })
        .andWhere(zone === null ? 'r.zone IS NULL' : 'r.zone = :zone', { zone })
        .andWhere('r.providerSideId IN (:...ids)', { ids: providerIds.slice(i, i + IN_LIST) })
        .getRawMany();
      for (const row of found) ids.set(keyOf(zone, row.providerSideId), row.id);
    }
  }
  return ids;
}

/** Record ids of the account's resources, by zone and provider id. */
export async function existingIds<T extends ObjectLiteral>(manager: EntityManager, entity: EntityClass<T>, serviceProviderId: string): Promise<Map<ResourceKey, string>> {
  const rows: { id: string; zone: string | null; providerSideId: string | null }[] = await manager
    .createQueryBuilder(entity, 'r')
    .select(['r.id AS id', 'r.zone AS zone', 'r.providerSideId AS "providerSideId"'])
    .where('r.serviceProviderId = :serviceProviderId', { serviceProviderId })
    .getRawMany();
  return new Map(rows.filter((r) => r.providerSideId).map((r) => [keyOf(r.zone, r.providerSideId!), r.id]));
}

/** Rows to write and their record ids, in the same order. */
interface Batch {
  rows: ObjectLiteral[];
  ids: string[];
}

/**
 * Multi-row `INSERT` statements (with `ON CONFLICT (id) DO UPDATE` of `overwrite` when given), written
 * here rather than by TypeORM's insert builder, whose parameter bookkeeping grows with the square of the
 * values (10,000 servers took seconds to build, not to run). Values go through the driver as the builder
 * sends them; `shared` values are the same for every row; a column no row sets is left out, so that it
 * takes its default.
 */
async function insertRows(manager: EntityManager, metadata: EntityMetadata, batch: Batch, shared: ObjectLiteral, overwrite?: ColumnMetadata[]): Promise<void> {
  if (!batch.rows.length) return;
  const driver = manager.connection.driver;
  if (metadata.columns.some((column) => column.embeddedMetadata)) throw new Error(`${metadata.name}: embedded columns are not supported by upsertResources`);
  const given = new Set(Object.keys(shared));
  for (const row of batch.rows) for (const key in row) given.add(key);
  const columns = metadata.columns.filter((column) => column.isInsert && (column.isPrimary || given.has(column.propertyPath)));
  const sqlite = driver.options.type !== 'postgres';
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
  const head = `INSERT INTO ${table} (${columns.map((column) => driver.escape(column.databaseName)).join(', ')}) VALUES `;
  const tail = overwrite
    ? ` ON CONFLICT (${driver.escape(metadata.primaryColumns[0].databaseName)}) DO UPDATE SET ${overwrite.map((c) => `${driver.escape(c.databaseName)} = EXCLUDED.${driver.escape(c.databaseName)}`).join(', ')}`
    : '';
  // SQLite has no DEFAULT in VALUES: the column's default, as TypeORM writes it, or NULL.
  const missing = (column: ColumnMetadata) => (sqlite ? (column.default !== undefined && column.default !== null && driver.normalizeDefault(column)) || 'NULL' : 'DEFAULT');
  // SQLite's placeholders are all `?`: a row with every value set is always the same tuple.
  const fullTuple = `(${columns.map(() => '?').join(', ')})`;
  const most = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
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
      let cells: string[] | undefined = sqlite ? undefined : [];
      for (let index = 0; index < sources.length; index++) {
        const source = sources[index];
        // Rows are flat: one value per column property, never a related entity.
        const value = source.kind === 'id' ? batch.ids[i] : source.kind === 'shared' ? source.value : row[source.property];
        if (value === undefined) {
          cells ??= columns.slice(0, index).map(() => '?');
          cells.push(missing(columns[index]));
          continue;
        }
        parameters[count] = source.kind === 'row' ? source.prepare(value) : value;
        cells?.push(driver.createParameter('', count));
        count++;
      }
      tuples.push(cells ? `(${cells.join(', ')})` : fullTuple);
    }
    parameters.length = count;
    await manager.query(head + tuples.join(', ') + tail, parameters);
  }
}

/**
 * The driver's conversion of a value for a column, except SQLite dates: TypeORM's formatting builds a
 * dozen strings per date (most of what a 10,000-server sync allocated); the same text, from toISOString.
 */
function preparer(column: ColumnMetadata, sqlite: boolean, driver: EntityManager['connection']['driver']): (value: unknown) => unknown {
  const date = sqlite && !column.transformer && (column.type === 'datetime' || column.type === Date);
  return (value) => {
    if (date && value instanceof Date) {
      const iso = value.toISOString(); // 2024-05-01T12:34:56.789Z → 2024-05-01 12:34:56.789
      return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
    }
    return driver.preparePersistentValue(value, column);
  };
}
