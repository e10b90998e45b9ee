import {
  BaseProperty,
  BaseRecord,
  BaseResource,
  type ActionContext,
  type CurrentAdmin,
  type Filter,
  type ParamsType,
  type PropertyType,
} from 'adminjs';
import { And, Between, Equal, FindOperator, ILike, In, LessThanOrEqual, Like, MoreThanOrEqual, type FindOptionsWhere, type ObjectLiteral, type Repository } from 'typeorm';
import { serialize } from '../core/data/entity-service.js';
import { dialectOf } from '../core/db/data-source.js';
import { isUuid } from '../core/db/records.js';
import type { FieldMeta } from '../core/fields.js';
import { describeField, type EntityInfo } from '../core/registry.js';
import { roleAllows, type Actor } from '../core/roles.js';
import type { Runtime } from '../core/runtime.js';
import { actorOf, roleOf } from './auth.js';
import { toValidationError } from './errors.js';

const PROPERTY_TYPES: Record<FieldMeta['kind'], PropertyType> = {
  string: 'string',
  text: 'textarea',
  integer: 'number',
  number: 'float',
  boolean: 'boolean',
  datetime: 'datetime',
  enum: 'string',
  json: 'string',
  secret: 'password',
  reference: 'reference',
  id: 'uuid',
};

/** A field as AdminJS sees it: the type, the reference, the enum values and whether it can be sorted come from its FieldMeta. */
export class FieldProperty extends BaseProperty {
  constructor(
    readonly field: FieldMeta,
    position: number,
  ) {
    super({ path: field.name, type: PROPERTY_TYPES[field.kind], isId: field.kind === 'id', isSortable: isSortable(field), position });
  }

  override reference(): string | null {
    return this.field.reference?.entity ?? null;
  }

  override availableValues(): string[] | null {
    return this.field.enum ? [...this.field.enum] : null;
  }

  override isEditable(): boolean {
    return !this.field.readOnly && this.field.kind !== 'id';
  }

  override isRequired(): boolean {
    return describeField(this.field).required;
  }
}

function isSortable(field: FieldMeta): boolean {
  return !field.secret && field.kind !== 'json' && field.kind !== 'reference';
}

/** A record as loaded, with the entity instance kept aside so that an action's `applicable` sees the real thing. */
export class EntityRecord extends BaseRecord {
  constructor(
    params: ParamsType,
    resource: BaseResource,
    readonly entity?: Record<string, unknown>,
  ) {
    super(params, resource);
  }
}

/** How the back-office writes records of one entity; the default goes through the entity service. */
export interface RecordWriter {
  /** Returns the id of the new record. */
  create(payload: Record<string, unknown>, actor: Actor): Promise<string>;
  update(id: string, payload: Record<string, unknown>, actor: Actor): Promise<void>;
  delete(id: string, actor: Actor): Promise<void>;
}

/** What a user may see of an entity beyond its read role (jobs: only those of records they may read). */
export interface ReadPolicy {
  /** Conditions on the rows this user may see, added to the list filters. */
  where(admin: CurrentAdmin | undefined): Record<string, FindOperator<unknown>>;
  /** The record's params as shown, from the row (a value hidden, a computed column added). */
  show?(params: Record<string, unknown>, row: Record<string, unknown>): Record<string, unknown>;
}

/** AdminJS caps perPage at 500 in lists only, and takes any negative or fractional number as it comes. */
const MAX_PER_PAGE = 500;

/** A page of 1 to 500 rows from offset 0 or more: a negative LIMIT means "no limit" to SQLite and an error to PostgreSQL. */
export function pageWindow(options: { limit?: number; offset?: number }): { take: number; skip: number } {
  const limit = Math.trunc(Number(options.limit ?? 10));
  const offset = Math.trunc(Number(options.offset ?? 0));
  return {
    take: Number.isFinite(limit) ? Math.min(Math.max(limit, 1), MAX_PER_PAGE) : 10,
    skip: Number.isFinite(offset) ? Math.max(offset, 0) : 0,
  };
}

/**
 * An AdminJS resource over one entity of the registry (or of the host), read through its repository with
 * the database paginating, and written through a RecordWriter: the entity service's rules apply, secrets
 * are never read back, and errors become field messages.
 */
export class EntityResource extends BaseResource {
  private readonly props: FieldProperty[];
  private readonly repo: Repository<ObjectLiteral>;

  constructor(
    readonly info: EntityInfo,
    private readonly runtime: Runtime,
    private readonly writer: RecordWriter,
    private readonly policy?: ReadPolicy,
  ) {
    super(info.entity);
    this.props = info.fields.map((field, index) => new FieldProperty(field, index + 1));
    this.repo = runtime.data.getRepository(info.entity);
  }

  static override isAdapterFor(): boolean {
    return false;
  }

  override databaseName(): string {
    return 'mv-infra';
  }

  override databaseType(): string {
    return dialectOf(this.runtime.data);
  }

  override id(): string {
    return this.info.name;
  }

  override properties(): BaseProperty[] {
    return this.props;
  }

  override property(path: string): BaseProperty | null {
    return this.props.find((p) => p.path() === path) ?? null;
  }

  override async count(filter: Filter, context?: ActionContext): Promise<number> {
    const where = this.where(filter, context);
    return where ? this.repo.count({ where }) : 0;
  }

  override async find(
    filter: Filter,
    options: { limit?: number; offset?: number; sort?: { sortBy?: string; direction?: 'asc' | 'desc' } },
    context?: ActionContext,
  ): Promise<BaseRecord[]> {
    const where = this.where(filter, context);
    if (!where) return [];
    const sortable = this.props.find((p) => p.path() === options.sort?.sortBy && p.isSortable());
    const direction = options.sort?.direction === 'asc' ? 'ASC' : 'DESC';
    const rows = await this.repo.find({
      where,
      order: sortable ? { [sortable.path()]: direction, id: 'ASC' } : { createdAt: 'DESC', id: 'ASC' },
      ...pageWindow(options),
    });
    return rows.map((row) => this.record(row, context));
  }

  override async findOne(id: string, context?: ActionContext): Promise<BaseRecord | null> {
    const row = isUuid(id) ? await this.repo.findOneBy({ ...this.scope(context), id }) : null;
    return row ? this.record(row, context) : null;
  }

  override async findMany(ids: (string | number)[], context?: ActionContext): Promise<BaseRecord[]> {
    const valid = ids.map(String).filter(isUuid);
    if (!valid.length) return [];
    return (await this.repo.findBy({ ...this.scope(context), id: In(valid) })).map((row) => this.record(row, context));
  }

  override async create(params: Record<string, unknown>, context?: ActionContext): Promise<ParamsType> {
    const id = await this.write(() => this.writer.create(params, actorOf(context?.currentAdmin)));
    return (await this.findOne(id))!.params;
  }

  override async update(id: string, params: Record<string, unknown>, context?: ActionContext): Promise<ParamsType> {
    await this.write(() => this.writer.update(id, params, actorOf(context?.currentAdmin)));
    return (await this.findOne(id))?.params ?? {};
  }

  override async delete(id: string, context?: ActionContext): Promise<void> {
    await this.write(() => this.writer.delete(id, actorOf(context?.currentAdmin)));
  }

  /** Runs a write; any refusal becomes an AdminJS ValidationError (field messages and a notice). */
  private async write<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toValidationError(error, this.runtime.logger);
    }
  }

  /**
   * What the browser gets: the fields the API returns (secrets only as the list of those set), JSON as
   * text. Someone who may not read this entity (it is shown as a reference elsewhere) gets its name only.
   */
  private record(row: Record<string, unknown>, context?: ActionContext): EntityRecord {
    const full = serialize(this.info, row);
    if (context?.currentAdmin && !roleAllows(roleOf(context.currentAdmin), this.info.read)) {
      return new EntityRecord({ id: full.id, [this.info.titleField]: full[this.info.titleField] }, this);
    }
    const shown = this.policy?.show?.(full, row) ?? full;
    const params: Record<string, unknown> = { ...shown, secretsSet: full.secretsSet?.join(', ') };
    for (const field of this.info.fields) {
      if (field.kind === 'json') params[field.name] = shown[field.name] === null ? null : JSON.stringify(shown[field.name], null, 2);
    }
    return new EntityRecord(params, this, row);
  }

  /** The policy's conditions for this user (none without a policy). */
  private scope(context?: ActionContext): Record<string, FindOperator<unknown>> {
    return this.policy?.where(context?.currentAdmin) ?? {};
  }

  /** The list filters and the policy's conditions as one TypeORM condition; undefined when nothing can match (a malformed id). */
  private where(filter: Filter | undefined, context?: ActionContext): FindOptionsWhere<ObjectLiteral> | undefined {
    const where = this.filterWhere(filter);
    if (!where) return undefined;
    for (const [name, condition] of Object.entries(this.scope(context))) {
      const given = where[name];
      where[name] = given === undefined ? condition : And(condition, given instanceof FindOperator ? given : Equal(given));
    }
    return where as FindOptionsWhere<ObjectLiteral>;
  }

  private filterWhere(filter?: Filter): Record<string, unknown> | undefined {
    const where: Record<string, unknown> = {};
    const like = dialectOf(this.runtime.data) === 'postgres' ? ILike : Like;
    for (const element of Object.values(filter?.filters ?? {})) {
      const property = this.props.find((p) => p.path() === element.path);
      if (!property) continue;
      const field = property.field;
      const value = element.value;
      if (typeof value === 'object' && value !== null) {
        if (field.kind !== 'datetime') continue;
        const from = value.from ? new Date(value.from) : undefined;
        const to = value.to ? new Date(value.to) : undefined;
        if ((from && Number.isNaN(from.getTime())) || (to && Number.isNaN(to.getTime()))) return undefined;
        where[field.name] = from && to ? Between(from, to) : from ? MoreThanOrEqual(from) : to ? LessThanOrEqual(to) : undefined;
        continue;
      }
      const text = String(value);
      switch (field.kind) {
        case 'id':
        case 'reference':
          if (!isUuid(text)) return undefined;
          where[field.name] = text;
          break;
        case 'integer':
        case 'number':
          if (!Number.isFinite(Number(text))) return undefined;
          where[field.name] = Number(text);
          break;
        case 'boolean':
          where[field.name] = text === 'true';
          break;
        case 'enum':
          where[field.name] = text;
          break;
        case 'string':
        case 'text':
          // Ids stored as text (a job's record) match exactly; anything else is a search.
          where[field.name] = isUuid(text) ? text : like(`%${text}%`);
          break;
        default:
          break; // JSON and secrets are not filterable
      }
    }
    return where;
  }
}
