import { validationError, type FieldErrors } from './errors.js';

/**
 * Typed action parameters. One declaration gives the validation, the defaults (constant or computed from
 * the record, like Meveo's scriptParameters ELs), the OpenAPI schema, the CLI's `--param` parsing and the
 * back-office form.
 */
interface BaseSpec<T> {
  label?: string;
  description?: string;
  required?: boolean;
  default?: T | ((record: any) => T | undefined);
  /** May hold secrets (cloud-init with passwords): job views show it only as set. */
  sensitive?: boolean;
}
export interface StringParam extends BaseSpec<string> {
  type: 'string';
  enum?: readonly string[];
  maxLength?: number;
  pattern?: RegExp;
  /** Shown as a multi-line input (cloud-init, scripts). */
  multiline?: boolean;
}
export interface NumberParam extends BaseSpec<number> {
  type: 'integer' | 'number';
  min?: number;
  max?: number;
}
export interface BooleanParam extends BaseSpec<boolean> {
  type: 'boolean';
}
export interface StringListParam extends BaseSpec<string[]> {
  type: 'string[]';
}
export interface JsonParam extends BaseSpec<unknown> {
  type: 'json';
}
export type ParamSpec = StringParam | NumberParam | BooleanParam | StringListParam | JsonParam;
export type ParamSpecs = Record<string, ParamSpec>;

type ValueOf<S extends ParamSpec> = S extends StringParam
  ? string
  : S extends NumberParam
    ? number
    : S extends BooleanParam
      ? boolean
      : S extends StringListParam
        ? string[]
        : unknown;
type HasValue<S extends ParamSpec> = S extends { required: true } ? true : S extends { default: unknown } ? true : false;

/** The handler's view of its parameters: required or defaulted ones are always present. */
export type ParamValues<P extends ParamSpecs> = {
  [K in keyof P as HasValue<P[K]> extends true ? K : never]: ValueOf<P[K]>;
} & {
  [K in keyof P as HasValue<P[K]> extends true ? never : K]?: ValueOf<P[K]>;
};

export const param = {
  string: <const S extends Omit<StringParam, 'type'>>(spec: S = {} as S) => ({ ...spec, type: 'string' as const }),
  integer: <const S extends Omit<NumberParam, 'type'>>(spec: S = {} as S) => ({ ...spec, type: 'integer' as const }),
  number: <const S extends Omit<NumberParam, 'type'>>(spec: S = {} as S) => ({ ...spec, type: 'number' as const }),
  boolean: <const S extends Omit<BooleanParam, 'type'>>(spec: S = {} as S) => ({ ...spec, type: 'boolean' as const }),
  stringList: <const S extends Omit<StringListParam, 'type'>>(spec: S = {} as S) => ({ ...spec, type: 'string[]' as const }),
  json: <const S extends Omit<JsonParam, 'type'>>(spec: S = {} as S) => ({ ...spec, type: 'json' as const }),
};

/** PostgreSQL refuses NUL characters in text: input holding one is refused up front, with this message. */
export const NUL_MESSAGE = 'must not contain NUL characters';

export function hasNul(value: string): boolean {
  return value.includes('\u0000');
}

/** The defaults a form shows for this record; defaults computed from a record need one. */
export function paramDefaults(specs: ParamSpecs, record?: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const value = typeof spec.default === 'function' ? (record === undefined ? undefined : spec.default(record)) : spec.default;
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * Checks and converts raw input (JSON values, or strings from the CLI and forms) into typed values,
 * applying defaults. Throws one validation error listing every bad field.
 */
export function parseParams(specs: ParamSpecs, input: Record<string, unknown> | undefined, record?: unknown): Record<string, unknown> {
  const raw = input ?? {};
  const errors: FieldErrors = {};
  const fail = (name: string, message: string) => (errors[name] ??= []).push(message);
  for (const name of Object.keys(raw)) {
    if (!(name in specs)) {
      const known = Object.keys(specs);
      fail(name, known.length ? `unknown parameter (expected one of: ${known.join(', ')})` : 'this action takes no parameters');
    }
  }
  const values = paramDefaults(specs, record);
  for (const [name, spec] of Object.entries(specs)) {
    const given = raw[name];
    if (given === undefined || given === null || given === '') {
      if (spec.required && values[name] === undefined) fail(name, 'is required');
      continue;
    }
    const result = convert(spec, given);
    if (typeof result === 'object' && result !== null && 'error' in result) fail(name, result.error);
    else values[name] = (result as { value: unknown }).value;
  }
  if (Object.keys(errors).length) throw validationError(errors, 'Invalid parameters');
  return values;
}

function convert(spec: ParamSpec, given: unknown): { value: unknown } | { error: string } {
  switch (spec.type) {
    case 'string': {
      if (typeof given !== 'string' && typeof given !== 'number') return { error: 'must be a string' };
      const value = String(given);
      if (hasNul(value)) return { error: NUL_MESSAGE };
      if (spec.enum && !spec.enum.includes(value)) return { error: `must be one of: ${spec.enum.join(', ')}` };
      if (spec.maxLength !== undefined && value.length > spec.maxLength) return { error: `must be at most ${spec.maxLength} characters` };
      if (spec.pattern && !spec.pattern.test(value)) return { error: `must match ${spec.pattern}` };
      return { value };
    }
    case 'integer':
    case 'number': {
      const value = typeof given === 'string' && given.trim() !== '' ? Number(given) : given;
      if (typeof value !== 'number' || !Number.isFinite(value)) return { error: 'must be a number' };
      if (spec.type === 'integer' && !Number.isInteger(value)) return { error: 'must be an integer' };
      if (spec.min !== undefined && value < spec.min) return { error: `must be ≥ ${spec.min}` };
      if (spec.max !== undefined && value > spec.max) return { error: `must be ≤ ${spec.max}` };
      return { value };
    }
    case 'boolean': {
      if (typeof given === 'boolean') return { value: given };
      if (given === 'true' || given === '1' || given === 'yes') return { value: true };
      if (given === 'false' || given === '0' || given === 'no') return { value: false };
      return { error: 'must be true or false' };
    }
    case 'string[]': {
      const list = typeof given === 'string' ? given.split(',').map((s) => s.trim()).filter(Boolean) : given;
      if (!Array.isArray(list) || list.some((item) => typeof item !== 'string')) return { error: 'must be a list of strings' };
      if (list.some(hasNul)) return { error: NUL_MESSAGE };
      return { value: list };
    }
    case 'json': {
      if (typeof given !== 'string') return { value: given };
      try {
        return { value: JSON.parse(given) };
      } catch {
        return { error: 'must be valid JSON' };
      }
    }
  }
}
