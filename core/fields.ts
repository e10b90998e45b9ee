import {
  IsBoolean,
  IsDate,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { BaseEntity, Column, CreateDateColumn, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * Field decorators: each declares the TypeORM column with an explicit, portable type (the same schema on
 * SQLite and PostgreSQL), the class-validator rules that follow from it, and what the API, OpenAPI
 * document, CLI and back-office need to know (label, list column, read-only, write-only secret).
 */
export type FieldKind =
  | 'string'
  | 'text'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'datetime'
  | 'enum'
  | 'json'
  | 'secret'
  | 'reference'
  | 'id';

export interface FieldMeta {
  name: string;
  kind: FieldKind;
  label: string;
  description?: string;
  nullable: boolean;
  /** Filled by the database or the code when absent on create. */
  hasDefault: boolean;
  /** Set by the system or the provider; ignored on create and update. */
  readOnly: boolean;
  /** Shown as a list column. */
  summary: boolean;
  /** Write-only: never returned, never logged. */
  secret: boolean;
  /** No two records may share a value. */
  unique?: boolean;
  maxLength?: number;
  min?: number;
  max?: number;
  enum?: readonly string[];
  /** For references: the target entity's name and the relation property. */
  reference?: { entity: string; relation: string };
  /** For JSON: what it holds, to render and validate it. */
  json?: 'string[]' | 'object' | 'any';
}

export interface FieldOptions {
  label?: string;
  description?: string;
  nullable?: boolean;
  summary?: boolean;
  readOnly?: boolean;
  unique?: boolean;
}

const FIELDS = Symbol.for('mv:fields');

function humanize(name: string): string {
  const words = name.replace(/Id$/, '').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function record(target: object, meta: FieldMeta): void {
  const own: FieldMeta[] = Object.prototype.hasOwnProperty.call(target, FIELDS)
    ? (target as Record<symbol, FieldMeta[]>)[FIELDS]
    : [];
  Object.defineProperty(target, FIELDS, { value: [...own.filter((f) => f.name !== meta.name), meta], configurable: true });
}

/** The fields of an entity class, base classes first. */
export function fieldsOf(entity: Function): FieldMeta[] {
  const chain: object[] = [];
  for (let proto = entity.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) chain.unshift(proto);
  const byName = new Map<string, FieldMeta>();
  for (const proto of chain) {
    if (!Object.prototype.hasOwnProperty.call(proto, FIELDS)) continue;
    for (const field of (proto as Record<symbol, FieldMeta[]>)[FIELDS]) byName.set(field.name, field);
  }
  return [...byName.values()];
}

type Decorator = (target: object, property: string) => void;

function field(
  kind: FieldKind,
  options: FieldOptions & { default?: unknown },
  column: Decorator,
  validators: Decorator[],
  extra: Partial<FieldMeta> = {},
): Decorator {
  return (target, property) => {
    const nullable = options.nullable ?? false;
    const hasDefault = options.default !== undefined || (extra.hasDefault ?? false);
    column(target, property);
    if (!options.readOnly) {
      if (nullable || hasDefault) IsOptional()(target, property);
      for (const validate of validators) validate(target, property);
    }
    record(target, {
      name: property,
      kind,
      label: options.label ?? humanize(property),
      description: options.description,
      nullable,
      hasDefault,
      readOnly: options.readOnly ?? false,
      summary: options.summary ?? false,
      secret: false,
      ...(options.unique && { unique: true }),
      ...extra,
    });
  };
}

export function StringField(options: FieldOptions & { length?: number; default?: string } = {}): Decorator {
  const length = options.length ?? 255;
  return field(
    'string',
    options,
    Column({ type: 'varchar', length, nullable: options.nullable ?? false, default: options.default, unique: options.unique }),
    [IsString(), MaxLength(length)],
    { maxLength: length },
  );
}

export function TextField(options: FieldOptions & { default?: string } = {}): Decorator {
  return field('text', options, Column({ type: 'text', nullable: options.nullable ?? false, default: options.default }), [IsString()]);
}

/** The column is a 32-bit `integer`: values beyond it are refused as a field error, not by the database. */
export function IntField(options: FieldOptions & { default?: number; min?: number; max?: number } = {}): Decorator {
  const { min = -(2 ** 31), max = 2 ** 31 - 1 } = options;
  return field(
    'integer',
    options,
    Column({ type: 'integer', nullable: options.nullable ?? false, default: options.default, unique: options.unique }),
    [IsInt(), Min(min), Max(max)],
    { min, max },
  );
}

/** pg returns bigint as a string; numbers up to 2^53 are exact. */
export const bigintAsNumber = { to: (v?: number | null) => v ?? null, from: (v?: string | number | null) => (v === null || v === undefined ? v : Number(v)) };

/** A whole number beyond 32 bits (sizes in bytes); read back as a number on both databases. */
export function BigIntField(options: FieldOptions & { default?: number; min?: number } = {}): Decorator {
  const validators = [IsInt()];
  if (options.min !== undefined) validators.push(Min(options.min));
  return field(
    'integer',
    options,
    Column({ type: 'bigint', nullable: options.nullable ?? false, default: options.default, transformer: bigintAsNumber }),
    validators,
    { min: options.min },
  );
}

export function NumberField(options: FieldOptions & { default?: number; min?: number; max?: number } = {}): Decorator {
  const validators = [IsNumber({ allowNaN: false, allowInfinity: false })];
  if (options.min !== undefined) validators.push(Min(options.min));
  if (options.max !== undefined) validators.push(Max(options.max));
  return field(
    'number',
    options,
    Column({ type: 'double precision', nullable: options.nullable ?? false, default: options.default }),
    validators,
    { min: options.min, max: options.max },
  );
}

export function BoolField(options: FieldOptions & { default?: boolean } = {}): Decorator {
  return field('boolean', options, Column({ type: 'boolean', nullable: options.nullable ?? false, default: options.default }), [IsBoolean()]);
}

/** A point in time. `Date` maps to `datetime` on SQLite and `timestamp` (stored as UTC) on PostgreSQL. */
export function DateField(options: FieldOptions = {}): Decorator {
  return field('datetime', options, Column({ type: Date, nullable: options.nullable ?? false }), [IsDate()]);
}

/** A closed list of values, stored as varchar: native enums differ between SQLite and PostgreSQL. */
export function EnumField<const V extends readonly string[]>(values: V, options: FieldOptions & { default?: V[number] } = {}): Decorator {
  const length = Math.max(16, ...values.map((v) => v.length));
  return field(
    'enum',
    options,
    Column({ type: 'varchar', length, nullable: options.nullable ?? false, default: options.default }),
    [IsIn(values as unknown as unknown[], { message: `$property must be one of: ${values.join(', ')}` })],
    { enum: values, maxLength: length },
  );
}

export function JsonField(options: FieldOptions & { of?: 'string[]' | 'object' | 'any' } = {}): Decorator {
  const of = options.of ?? 'any';
  const nullable = options.nullable ?? true;
  const validators: Decorator[] = [];
  if (of === 'string[]') validators.push(IsString({ each: true }));
  return field('json', { ...options, nullable }, Column({ type: 'simple-json', nullable }), validators, { json: of });
}

/**
 * A write-only secret. The column holds the sealed (AES-256-GCM) value: the data source seals any plain
 * value before it is written, and only the credential service opens it, at the moment of use.
 */
export function SecretField(options: Omit<FieldOptions, 'summary' | 'readOnly'> = {}): Decorator {
  return field('secret', { ...options, nullable: options.nullable ?? true }, Column({ type: 'text', nullable: options.nullable ?? true }), [IsString()], {
    secret: true,
  });
}

/**
 * A reference to another entity, by name so that modules need not import each other's classes.
 * Declared on the explicit foreign-key column (`credentialId`); the relation (`credential`) is added
 * beside it, which is what the back-office needs to show a link.
 */
export function RefField(entity: string, options: FieldOptions & { onDelete?: 'SET NULL' | 'CASCADE' | 'RESTRICT'; index?: boolean } = {}): Decorator {
  return (target, property) => {
    // Lookups by reference (a server's volumes) and deletes of the referenced record need it; PostgreSQL
    // does not index foreign keys by itself. `index: false` where a composite index already leads with it.
    if (options.index !== false) Index()(target, property);
    if (!property.endsWith('Id')) throw new Error(`${target.constructor.name}.${property}: a reference field's name must end in "Id"`);
    const relation = property.slice(0, -2);
    const nullable = options.nullable ?? true;
    field('reference', { ...options, nullable }, Column({ type: 'uuid', nullable }), [IsUUID()], { reference: { entity, relation } })(target, property);
    ManyToOne(entity, { nullable, onDelete: options.onDelete ?? (nullable ? 'SET NULL' : 'RESTRICT') })(target, relation);
    JoinColumn({ name: property })(target, relation);
  };
}

/** Id and timestamps shared by every entity. AdminJS needs entities to extend BaseEntity. */
export abstract class BaseRecord extends BaseEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @CreateDateColumn({ type: Date })
  createdAt: Date;

  @UpdateDateColumn({ type: Date })
  updatedAt: Date;
}

// The base columns are described like the others so that every consumer sees one list of fields.
for (const [name, kind, label] of [
  ['id', 'id', 'Id'],
  ['createdAt', 'datetime', 'Created at'],
  ['updatedAt', 'datetime', 'Updated at'],
] as const) {
  record(BaseRecord.prototype, { name, kind, label, nullable: false, hasDefault: true, readOnly: true, summary: false, secret: false });
}
