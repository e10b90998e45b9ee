import type { DataSource } from 'typeorm';
import { MvError } from '../errors.js';
import type { EntityInfo } from '../registry.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** A record by id, or a 404 that names the entity; a malformed id is a 404 too, not a database error. */
export async function findRecord<T = { id: string } & Record<string, unknown>>(data: DataSource, entity: EntityInfo, id: string): Promise<T> {
  const record = isUuid(id) ? await data.getRepository(entity.entity).findOneBy({ id }) : null;
  if (!record) throw new MvError('not_found', `No ${entity.label} with id ${id}`);
  return record as T;
}
