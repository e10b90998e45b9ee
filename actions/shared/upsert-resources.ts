import { randomUUID } from 'node:crypto';
import type { EntityManager, ObjectLiteral } from 'typeorm';
import type { EntityClass } from 'mv-infra/core';
import type { Ownership } from '../../entities/provider-resource.js';

/** Keeps each statement under both databases' limit on bound parameters. */
const MAX_PARAMETERS = 30_000;

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
  const existing = await existingIds(manager, entity, serviceProviderId);
  const written = new Map<ResourceKey, string>();
  const now = new Date();
  const inserts: ObjectLiteral[] = [];
  const updates: ObjectLiteral[] = [];
  for (const row of rows) {
    const key = keyOf(row.zone, row.providerSideId);
    const known = existing.get(key);
    // createdAt only fills the insert half of the statement; an existing record keeps its own.
    if (known) {
      updates.push({ ...row, id: known, serviceProviderId, createdAt: now, updatedAt: now });
      written.set(key, known);
    } else {
      const id = randomUUID();
      written.set(key, id);
      inserts.push({ ...row, id, serviceProviderId, ownership: options.ownershipOfNew, createdAt: now, updatedAt: now });
    }
  }
  const metadata = manager.connection.getMetadata(entity);
  const chunk = Math.max(1, Math.floor(MAX_PARAMETERS / metadata.columns.length));
  for (let i = 0; i < inserts.length; i += chunk) {
    await manager.createQueryBuilder().insert().into(entity).values(inserts.slice(i, i + chunk) as never).updateEntity(false).execute();
  }
  const overwrite = [...new Set([...options.update, 'updatedAt'])].map((name) => metadata.findColumnWithPropertyName(name)!.databaseName);
  for (let i = 0; i < updates.length; i += chunk) {
    // Every row exists: the insert always conflicts on the primary key and becomes an update of `overwrite`.
    await manager
      .createQueryBuilder()
      .insert()
      .into(entity)
      .values(updates.slice(i, i + chunk) as never)
      .orUpdate(overwrite, ['id'])
      .updateEntity(false)
      .execute();
  }
  return written;
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
