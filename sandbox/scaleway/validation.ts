/**
 * Reads request bodies field by field and collects what is wrong, so one answer lists every
 * invalid field, as the API does. `finish()` throws the error in the API family's shape:
 * - `instance`: legacy `invalid_request_error`, message "Validation Error", `fields` per field;
 * - `standard` (Block, Marketplace): `invalid_arguments` with `details`.
 */
import { invalidArguments, invalidRequest } from './errors.js';

type Reason = 'required' | 'format' | 'constraint';
type Style = 'instance' | 'standard';

interface Issue {
  field: string;
  reason: Reason;
  message: string;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

export class BodyReader {
  readonly #body: Json;

  private constructor(
    body: unknown,
    private readonly style: Style,
    private readonly prefix: string,
    private readonly issues: Issue[],
  ) {
    this.#body = isObject(body) ? body : {};
    if (body !== undefined && !isObject(body)) this.#issue('', 'format', 'expected dict');
  }

  static instance(body: unknown): BodyReader {
    return new BodyReader(body, 'instance', '', []);
  }

  static standard(body: unknown): BodyReader {
    return new BodyReader(body, 'standard', '', []);
  }

  /** True when the body names the field, even with `null`. */
  has(field: string): boolean {
    return field in this.#body;
  }

  string(field: string): string | undefined {
    return this.#typed(field, 'string', 'expected str');
  }

  requiredString(field: string): string {
    return this.#required(field, () => this.string(field)) ?? '';
  }

  /** A string or an explicit `null` (e.g. `server: null` detaches an IP). */
  nullableString(field: string): string | null | undefined {
    return this.#body[field] === null ? null : this.string(field);
  }

  boolean(field: string): boolean | undefined {
    return this.#typed(field, 'boolean', 'expected bool');
  }

  integer(field: string, bounds: { min?: number; max?: number } = {}): number | undefined {
    const value = this.#body[field];
    if (value === undefined || value === null) return undefined;
    if (!Number.isInteger(value)) return this.#issue(field, 'format', 'expected int');
    const n = value as number;
    if (bounds.min !== undefined && n < bounds.min) return this.#issue(field, 'constraint', `value must be at least ${bounds.min}`);
    if (bounds.max !== undefined && n > bounds.max) return this.#issue(field, 'constraint', `value must be at most ${bounds.max}`);
    return n;
  }

  requiredInteger(field: string, bounds: { min?: number; max?: number } = {}): number {
    return this.#required(field, () => this.integer(field, bounds)) ?? 0;
  }

  strings(field: string): string[] | undefined {
    const value = this.#body[field];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      return this.#issue(field, 'format', 'expected list of str');
    }
    return value;
  }

  oneOf<T extends string>(field: string, values: readonly T[]): T | undefined {
    const value = this.string(field);
    if (value === undefined || values.includes(value as T)) return value as T | undefined;
    return this.#issue(field, 'constraint', `value must be one of ${values.join(', ')}`);
  }

  requiredOneOf<T extends string>(field: string, values: readonly T[]): T {
    return this.#required(field, () => this.oneOf(field, values)) ?? values[0];
  }

  /** A nested object, read with the same rules; its fields are reported as `field.key`. */
  object(field: string): BodyReader | undefined {
    const value = this.#body[field];
    if (value === undefined || value === null) return undefined;
    if (!isObject(value)) return this.#issue(field, 'format', 'expected dict');
    return this.#child(field, value);
  }

  /** A map of nested objects (`volumes: {"0": {...}}`), in key order. */
  objectMap(field: string): Array<[string, BodyReader]> | undefined {
    const map = this.object(field);
    return map && Object.keys(map.#body).map((key) => [key, map.#child(key, map.#body[key])]);
  }

  /** A list of nested objects (`rules: [{...}]`). */
  objectList(field: string): BodyReader[] | undefined {
    const value = this.#body[field];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) return this.#issue(field, 'format', 'expected list');
    return value.map((item, index) => this.#child(`${field}.${index}`, item));
  }

  /** Reports a rule the field breaks (a size that is not a multiple of 512...). */
  reject(field: string, message: string): void {
    this.#issue(field, 'constraint', message);
  }

  /** Throws the collected issues, if any. */
  finish(): void {
    if (this.issues.length === 0) return;
    if (this.style === 'standard') {
      throw invalidArguments(this.issues.map((issue) => ({ argument_name: issue.field, reason: issue.reason, help_message: issue.message })));
    }
    const fields: Record<string, string[]> = {};
    for (const issue of this.issues) (fields[issue.field] ??= []).push(issue.message);
    throw invalidRequest('Validation Error', fields);
  }

  #child(field: string, value: unknown): BodyReader {
    return new BodyReader(value, this.style, this.#path(field), this.issues);
  }

  #typed<T>(field: string, type: 'string' | 'boolean', message: string): T | undefined {
    const value = this.#body[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== type) return this.#issue(field, 'format', message);
    return value as T;
  }

  #required<T>(field: string, read: () => T | undefined): T | undefined {
    if (this.#body[field] === undefined || this.#body[field] === null) return this.#issue(field, 'required', 'required key not provided');
    return read();
  }

  #path(field: string): string {
    return this.prefix && field ? `${this.prefix}.${field}` : this.prefix || field;
  }

  #issue(field: string, reason: Reason, message: string): undefined {
    this.issues.push({ field: this.#path(field) || 'body', reason, message });
    return undefined;
  }
}
