import type { ValidationError } from 'class-validator';

/**
 * One error type for everything the user may see. Each code maps to one HTTP status, and the message is
 * written for an operator: it never carries a stack trace or a secret.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  not_applicable: 409,
  cancelled: 409,
  precondition_failed: 412,
  provider_error: 502,
  timeout: 504,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Per-field messages, keyed by field name (dotted for nested fields). */
export type FieldErrors = Record<string, string[]>;

export class MvError extends Error {
  override readonly name = 'MvError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** The API's error shape: `details` always there, null when there are none. */
  toJSON(): { code: ErrorCode; message: string; details: unknown } {
    return { code: this.code, message: this.message, details: this.details ?? null };
  }
}

/** A refusal from an action: bad state, missing data, a rule the provider would reject. */
export class ActionError extends MvError {
  constructor(message: string, details?: unknown, code: ErrorCode = 'precondition_failed') {
    super(code, message, details);
  }
}

export function validationError(fields: FieldErrors, what = 'Invalid input'): MvError {
  const summary = Object.entries(fields)
    .map(([field, messages]) => `${field}: ${messages.join(', ')}`)
    .join('; ');
  return new MvError('validation_failed', `${what}: ${summary}`, { fields });
}

/**
 * class-validator's messages start with the property's name ("credit must not be less than 0"); shown
 * under the field's name, they read "must not be less than 0".
 */
export function constraintMessages(error: ValidationError): string[] {
  const prefix = `${error.property} `;
  return Object.values(error.constraints ?? {}).map((message) => (message.startsWith(prefix) ? message.slice(prefix.length) : message));
}

/** Errors are recognised by shape, not identity, so that a module compiled elsewhere still matches. */
export function isMvError(error: unknown): error is MvError {
  return (
    error instanceof Error &&
    typeof (error as MvError).code === 'string' &&
    (error as MvError).code in ERROR_STATUS &&
    typeof (error as MvError).toJSON === 'function'
  );
}
