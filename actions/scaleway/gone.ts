import { IsNull, Not, type EntityManager, type FindOptionsWhere } from 'typeorm';
import type { EntityClass } from 'mv-infra/core';
import type { ProviderResource } from '../../entities/provider-resource.js';
import { chunks } from '../shared/chunks.js';

/** The state a record of ours takes when its resource vanished at the provider. */
export const GONE = 'deleted';

export interface GoneScope<T> {
  serviceProviderId: string;
  zone: string;
  /** Narrows the records the listing covered (e.g. volumes, not snapshots). */
  where?: FindOptionsWhere<T>;
  /** The listing took only names starting with this (an import prefix). */
  namePrefix?: string;
}

/**
 * After a listing of one zone: the records it covered whose resource Scaleway no longer lists. Observed
 * ones are removed (nothing of ours is lost); ours are kept, in state `deleted` with `managedChanges`, so
 * that the user sees what vanished behind their back (and are not counted again by the next listing).
 * Records not created at Scaleway yet are left alone. Returns how many were found gone.
 */
export async function letGoOfGone<T extends ProviderResource>(
  manager: EntityManager,
  entity: EntityClass<T>,
  scope: GoneScope<T>,
  listed: Set<string>,
  managedChanges: Partial<T> = {},
): Promise<number> {
  const repo = manager.getRepository<ProviderResource>(entity);
  const hasState = !!manager.connection.getMetadata(entity).findColumnWithPropertyName('state');
  const base: Record<string, unknown> = { ...scope.where, serviceProviderId: scope.serviceProviderId, zone: scope.zone };
  // Records already marked gone are not found gone again.
  const where = hasState ? [{ ...base, state: Not(GONE) }, { ...base, state: IsNull() }] : [base];
  const prefix = scope.namePrefix ?? '';
  const records = await repo.find({ select: { id: true, providerSideId: true, ownership: true, ...(prefix && { name: true }) }, where: where as FindOptionsWhere<ProviderResource>[] });
  const covered = (record: ProviderResource) => !prefix || String((record as unknown as { name?: string }).name ?? '').startsWith(prefix);
  const gone = records.filter((record) => record.providerSideId && covered(record) && !listed.has(record.providerSideId));
  const observed = gone.filter((record) => record.ownership === 'observed').map((record) => record.id);
  const managed = gone.filter((record) => record.ownership === 'managed').map((record) => record.id);
  const changes = { ...(hasState && { state: GONE }), ...managedChanges, lastSyncAt: new Date() };
  for (const ids of chunks(observed)) await repo.delete(ids);
  for (const ids of chunks(managed)) await repo.update(ids, changes as never);
  return gone.length;
}
