import { EventEmitter } from 'node:events';
import { validate } from 'class-validator';
import type { DataSource, FindOptionsOrder, FindOptionsWhere } from 'typeorm';
import { findRecord, isUuid } from '../db/records.js';
import { isForeignKeyViolation, isUniqueViolation } from '../db/sql.js';
import { constraintMessages, MvError, validationError, type FieldErrors } from '../errors.js';
import type { FieldMeta } from '../fields.js';
import { hasNul, NUL_MESSAGE } from '../params.js';
import type { EntityInfo, Registry } from '../registry.js';
import { resourceOptionsOf } from '../resource.js';
import type { Actor } from '../roles.js';

export interface ListQuery {
  page?: number;
  perPage?: number;
  /** A field name, `-` first for descending. */
  sort?: string;
  /** Exact-match filters, by field name, as strings (from a query string). */
  filters?: Record<string, string>;
}

export interface Change {
  entity: string;
  id: string;
  operation: 'create' | 'update' | 'delete';
  actor: Actor;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
  /** Secrets given a new value by an update (their values are never part of a change). */
  secretsChanged?: string[];
}

export type Serialized = Record<string, unknown> & { id: string; secretsSet?: string[] };

export const MAX_PER_PAGE = 500;

/**
 * Create, read, update and delete for any registered entity, with the same rules whoever asks (API,
 * CLI, back-office): only declared fields, field-level errors, secrets write-only, nothing written when
 * anything is wrong. Every change is announced on `changes` (the audit log listens).
 */
export class EntityService {
  readonly changes = new EventEmitter();

  constructor(
    private readonly registry: Registry,
    private readonly data: DataSource,
  ) {}

  async list(entity: EntityInfo, query: ListQuery = {}): Promise<{ items: Serialized[]; total: number; page: number; perPage: number }> {
    const page = Math.max(1, Math.floor(query.page ?? 1));
    const perPage = Math.min(MAX_PER_PAGE, Math.max(1, Math.floor(query.perPage ?? 50)));
    const errors: FieldErrors = {};
    const where: Record<string, unknown> = {};
    for (const [name, raw] of Object.entries(query.filters ?? {})) {
      const field = entity.fields.find((f) => f.name === name);
      if (!field) (errors[name] ??= []).push(`is not a field of ${entity.name}`);
      else if (field.secret) (errors[name] ??= []).push('is write-only: it cannot be filtered on');
      else {
        const value = filterValue(field, raw);
        if (value instanceof Error) (errors[name] ??= []).push(value.message);
        else where[name] = value;
      }
    }
    // The id breaks ties: a sync creates thousands of records at the same instant, and pages must not overlap.
    let order: FindOptionsOrder<any> = { createdAt: 'DESC', id: 'DESC' };
    if (query.sort) {
      const name = query.sort.replace(/^-/, '');
      const field = entity.fields.find((f) => f.name === name);
      if (!field || field.secret || field.kind === 'json') (errors.sort ??= []).push(`cannot sort on ${name}`);
      else order = { [name]: query.sort.startsWith('-') ? 'DESC' : 'ASC', id: 'ASC' };
    }
    if (Object.keys(errors).length) throw validationError(errors, 'Invalid query');
    const [records, total] = await this.data.getRepository(entity.entity).findAndCount({
      where: where as FindOptionsWhere<any>,
      order,
      skip: (page - 1) * perPage,
      take: perPage,
    });
    return { items: records.map((r) => serialize(entity, r)), total, page, perPage };
  }

  async get(entity: EntityInfo, id: string): Promise<Serialized> {
    return serialize(entity, await findRecord(this.data, entity, id));
  }

  async create(entity: EntityInfo, input: unknown, actor: Actor): Promise<Serialized> {
    this.writable(entity);
    const repo = this.data.getRepository(entity.entity);
    const record = repo.create() as Record<string, unknown>;
    await this.apply(entity, record, input, 'create');
    const saved = await this.save(entity, record);
    const after = serialize(entity, saved);
    this.announce({ entity: entity.name, id: after.id, operation: 'create', actor, after });
    return after;
  }

  async update(entity: EntityInfo, id: string, input: unknown, actor: Actor): Promise<Serialized> {
    this.writable(entity);
    const record = await findRecord<Record<string, unknown>>(this.data, entity, id);
    const before = serialize(entity, record);
    await this.apply(entity, record, input, 'update');
    const after = serialize(entity, await this.save(entity, record));
    this.announce({ entity: entity.name, id, operation: 'update', actor, before, after, secretsChanged: givenSecrets(entity, input) });
    return after;
  }

  async delete(entity: EntityInfo, id: string, actor: Actor): Promise<void> {
    this.writable(entity);
    const record = await findRecord<Record<string, unknown> & { id: string }>(this.data, entity, id);
    const before = serialize(entity, record);
    try {
      await this.data.getRepository(entity.entity).delete({ id });
    } catch (error) {
      if (isForeignKeyViolation(error)) {
        throw new MvError('conflict', `${entity.label} ${before[entity.titleField] ?? id} is still used by other records; remove or change them first`);
      }
      throw error;
    }
    this.announce({ entity: entity.name, id, operation: 'delete', actor, before });
  }

  private writable(entity: EntityInfo): void {
    if (entity.readOnly) throw new MvError('forbidden', `${entity.label} records are created and changed by actions only`);
  }

  /** Copies the input onto the record, converting and checking each field; throws before any write. */
  private async apply(entity: EntityInfo, record: Record<string, unknown>, input: unknown, mode: 'create' | 'update'): Promise<void> {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new MvError('invalid_request', `The body must be a JSON object of ${entity.name} fields`);
    }
    const errors: FieldErrors = {};
    const fail = (name: string, message: string) => (errors[name] ??= []).push(message);
    for (const [name, value] of Object.entries(input)) {
      const field = entity.fields.find((f) => f.name === name);
      if (!field) {
        if (name !== 'secretsSet') fail(name, `is not a field of ${entity.name}`);
        continue;
      }
      if (field.readOnly) {
        // Sending back a record as it was read is fine; changing a read-only field is not.
        if (mode === 'create' || !sameValue(record[name], value)) fail(name, 'is read-only');
        continue;
      }
      // An empty secret means "leave it as it is" (forms never show the stored value).
      if (field.secret && (value === '' || value === undefined)) continue;
      const converted = await this.convert(field, value);
      if (converted instanceof Error) fail(name, converted.message);
      else record[name] = converted;
    }
    if (mode === 'create') {
      for (const field of entity.fields) {
        const missing = record[field.name] === undefined || record[field.name] === null;
        if (missing && !field.nullable && !field.hasDefault && !field.readOnly) fail(field.name, 'is required');
      }
    }
    for (const error of await validate(record, { forbidUnknownValues: false })) {
      if (errors[error.property]) continue;
      for (const message of constraintMessages(error)) fail(error.property, message);
    }
    // Rules across fields only make sense once each field is right.
    if (!Object.keys(errors).length) {
      const rules = resourceOptionsOf(entity.entity).validate?.(record) ?? {};
      for (const [name, messages] of Object.entries(rules)) for (const message of messages) fail(name, message);
    }
    if (Object.keys(errors).length) throw validationError(errors, `Invalid ${entity.label}`);
  }

  private async convert(field: FieldMeta, value: unknown): Promise<unknown> {
    if (value === null) return field.nullable ? null : new Error('cannot be empty');
    switch (field.kind) {
      case 'string':
      case 'text':
      case 'enum':
      case 'secret':
        if (typeof value !== 'string') return new Error('must be a string');
        return hasNul(value) ? new Error(NUL_MESSAGE) : value;
      case 'integer':
        // Beyond 2^53 a number is no longer exact; the field's own bounds are checked by its validators.
        return Number.isSafeInteger(value) ? value : new Error('must be an integer');
      case 'number':
        return typeof value === 'number' && Number.isFinite(value) ? value : new Error('must be a number');
      case 'boolean':
        return typeof value === 'boolean' ? value : new Error('must be true or false');
      case 'datetime': {
        const date = typeof value === 'string' ? new Date(value) : undefined;
        return date && !Number.isNaN(date.getTime()) ? date : new Error('must be a date in ISO 8601 form, e.g. 2026-01-31T12:00:00Z');
      }
      case 'json':
        if (field.json === 'string[]' && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) return new Error('must be a list of strings');
        if (field.json === 'object' && (typeof value !== 'object' || Array.isArray(value))) return new Error('must be an object');
        return value;
      case 'reference': {
        const target = this.registry.hasEntity(field.reference!.entity) ? this.registry.entity(field.reference!.entity) : undefined;
        if (!isUuid(value)) return new Error(`must be the id of a ${target?.label ?? field.reference!.entity}`);
        const exists = target && (await this.data.getRepository(target.entity).existsBy({ id: value }));
        return exists ? value : new Error(`no ${target?.label ?? field.reference!.entity} has the id ${value}`);
      }
      case 'id':
        return new Error('is read-only');
    }
  }

  private async save(entity: EntityInfo, record: Record<string, unknown>): Promise<Record<string, unknown> & { id: string }> {
    try {
      return await this.data.getRepository(entity.entity).save(record);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const fields: FieldErrors = {};
      for (const field of entity.fields.filter((f) => f.unique)) {
        const clash = await this.data.getRepository(entity.entity).findOneBy({ [field.name]: record[field.name] });
        if (clash && clash.id !== record.id) fields[field.name] = [`is already used by another ${entity.label}`];
      }
      throw new MvError('conflict', `Another ${entity.label} already has ${Object.keys(fields).join(', ') || 'these values'}`, { fields });
    }
  }

  private announce(change: Change): void {
    this.changes.emit('change', change);
  }
}

/** A record as the API returns it: declared fields only, secrets replaced by the list of those set. */
export function serialize(entity: EntityInfo, record: Record<string, unknown>): Serialized {
  const out: Serialized = { id: String(record.id) };
  const secretsSet: string[] = [];
  for (const field of entity.fields) {
    const value = record[field.name];
    if (field.secret) {
      if (value) secretsSet.push(field.name);
      continue;
    }
    out[field.name] = value instanceof Date ? value.toISOString() : value ?? null;
  }
  if (entity.fields.some((f) => f.secret)) out.secretsSet = secretsSet;
  return out;
}

/** The secrets an input sets (an empty one means unchanged). */
function givenSecrets(entity: EntityInfo, input: unknown): string[] {
  const given = input as Record<string, unknown>;
  return entity.fields.filter((f) => f.secret && typeof given[f.name] === 'string' && given[f.name] !== '').map((f) => f.name);
}

function filterValue(field: FieldMeta, raw: string): unknown {
  if (hasNul(raw)) return new Error(NUL_MESSAGE);
  switch (field.kind) {
    case 'integer': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      const [min, max] = [field.min ?? Number.MIN_SAFE_INTEGER, field.max ?? Number.MAX_SAFE_INTEGER];
      return Number.isSafeInteger(n) && n >= min && n <= max ? n : new Error(`must be an integer from ${min} to ${max}`);
    }
    case 'number': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      return Number.isFinite(n) ? n : new Error('must be a number');
    }
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : new Error('must be true or false');
    case 'json':
      return new Error('cannot be filtered on');
    case 'reference':
    case 'id':
      return isUuid(raw) ? raw : new Error('must be an id');
    case 'datetime': {
      const date = new Date(raw);
      return Number.isNaN(date.getTime()) ? new Error('must be an ISO 8601 date') : date;
    }
    default:
      return field.enum && !field.enum.includes(raw) ? new Error(`must be one of: ${field.enum.join(', ')}`) : raw;
  }
}

function sameValue(current: unknown, given: unknown): boolean {
  if (current instanceof Date) return typeof given === 'string' && new Date(given).getTime() === current.getTime();
  return JSON.stringify(current ?? null) === JSON.stringify(given ?? null);
}
