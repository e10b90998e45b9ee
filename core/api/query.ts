import type { Request } from 'express';
import { validationError, type MvError } from '../errors.js';
import { hasNul, NUL_MESSAGE } from '../params.js';

/** A 400 naming the query parameter at fault, as field errors are named. */
export function invalidQuery(name: string, message: string): MvError {
  return validationError({ [name]: [message] }, 'Invalid query');
}

/**
 * A query parameter as one string; given twice (`?a=1&a=2`) or nested (`?a[b]=1`) it is a 400, as is a NUL
 * character (PostgreSQL refuses it in text).
 */
export function queryString(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidQuery(name, 'must be given once, as a single value');
  if (hasNul(value)) throw invalidQuery(name, NUL_MESSAGE);
  return value;
}

/** `true` or `false`, nothing else: a flag that runs something for real must not be guessed. */
export function queryBoolean(req: Request, name: string): boolean | undefined {
  const value = queryString(req, name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw invalidQuery(name, 'must be true or false');
  return value === 'true';
}
