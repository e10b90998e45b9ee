import { validationError, type FieldErrors } from '../core/errors.js';
import type { FieldMeta } from '../core/fields.js';
import type { EntityInfo } from '../core/registry.js';

/**
 * Turns what an AdminJS form posts (strings, flattened paths) into the input the entity service takes
 * (JSON types), so that the back-office and the API share one set of rules:
 * - only fields that may be written are passed on; read-only ones and anything else the form carries
 *   (ids, timestamps, `secretsSet`) are dropped;
 * - an empty secret means "unchanged" and is not passed;
 * - an empty value is `null`, except on create for a field with a default, which then gets its default;
 * - numbers and booleans are converted when they can be, and passed as they are otherwise, so that the
 *   entity service reports the field ("must be an integer");
 * - JSON is parsed; a list of strings may also be typed one per line.
 */
export function formInput(entity: EntityInfo, payload: Record<string, unknown> | undefined, mode: 'create' | 'update'): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  for (const field of entity.fields) {
    if (field.readOnly || field.kind === 'id' || !payload || !(field.name in payload)) continue;
    const raw = payload[field.name];
    if (raw === '' || raw === null || raw === undefined) {
      if (!field.secret && !(mode === 'create' && field.hasDefault)) input[field.name] = null;
      continue;
    }
    const value = convert(field, raw);
    if (value instanceof Error) errors[field.name] = [value.message];
    else input[field.name] = value;
  }
  if (Object.keys(errors).length) throw validationError(errors, `Invalid ${entity.label}`);
  return input;
}

function convert(field: FieldMeta, raw: unknown): unknown {
  switch (field.kind) {
    case 'integer':
    case 'number': {
      const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      return typeof n === 'number' && Number.isFinite(n) ? n : raw;
    }
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : raw;
    case 'json':
      return typeof raw === 'string' ? parseJson(field, raw) : raw;
    default:
      return typeof raw === 'string' ? raw : String(raw);
  }
}

function parseJson(field: FieldMeta, text: string): unknown {
  const trimmed = text.trim();
  if (field.json === 'string[]' && !trimmed.startsWith('[')) {
    return trimmed
      .split(/[\n,]/)
      .map((item) => item.trim())
      .filter(Boolean);
  }
  try {
    return JSON.parse(trimmed);
  } catch (error) {
    return new Error(`must be valid JSON (${(error as Error).message})`);
  }
}
