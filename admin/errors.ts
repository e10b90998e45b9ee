import { AppError, ValidationError, type ActionContext, type ActionHandler, type ActionRequest, type ActionResponse } from 'adminjs';
import { isMvError } from '../core/errors.js';
import type { FieldErrors } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

const INTERNAL = 'Internal error; the server log has the details';

/** The field messages of a validation or conflict error, if it has any. */
export function fieldErrorsOf(error: unknown): FieldErrors | undefined {
  const details = isMvError(error) ? (error.details as { fields?: FieldErrors } | undefined) : undefined;
  return details?.fields && Object.keys(details.fields).length ? details.fields : undefined;
}

/**
 * An error of the runtime as AdminJS shows it: field messages under the fields of the form, the message in
 * a notice. Anything unexpected is logged and shown as a plain sentence, never as a stack trace.
 */
export function toValidationError(error: unknown, logger: Logger): ValidationError {
  if (error instanceof ValidationError) return error;
  if (!isMvError(error)) {
    logger.error({ err: error }, 'back-office: unexpected error');
    return new ValidationError({}, { message: INTERNAL, type: 'internal' });
  }
  const fields = fieldErrorsOf(error) ?? {};
  const propertyErrors = Object.fromEntries(Object.entries(fields).map(([name, messages]) => [name, { type: error.code, message: messages.join('; ') }]));
  return new ValidationError(propertyErrors, { message: error.message, type: error.code });
}

/**
 * Wraps an action handler so that no error reaches Express's HTML error page: known errors become an error
 * notice (AdminJS renders AppError and ValidationError as JSON), unexpected ones are logged first.
 */
export function safely<T extends ActionResponse>(logger: Logger, handler: (request: ActionRequest, response: unknown, context: ActionContext) => Promise<T>): ActionHandler<T> {
  return async (request, response, context) => {
    try {
      return await handler(request, response, context);
    } catch (error) {
      if (error instanceof ValidationError || error instanceof AppError) throw error;
      if (isMvError(error)) throw new AppError(error.message);
      logger.error({ err: error, action: context.action?.name, resource: context.resource?.id() }, 'back-office: unexpected error');
      throw new AppError(INTERNAL);
    }
  };
}
