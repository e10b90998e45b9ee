import type { ProviderFault } from 'mv-infra/core';
import type { ErrorBody } from './wire.js';

/**
 * Scaleway's error bodies in the provider's own words: per-field details for `invalid_arguments` and the
 * legacy `invalid_request_error`, what ran out for quotas (the legacy Instance answer included), the help
 * text of preconditions, and `transient_state` marked as worth retrying. A bare 429 (Envoy, no body) says
 * it was rate limited.
 */
export function parseScalewayError(status: number, body: unknown): ProviderFault {
  if (!body || typeof body !== 'object') {
    return status === 429 ? { code: 'rate_limited', message: 'too many requests (rate limited by the API gateway)' } : {};
  }
  const error = body as ErrorBody;
  const fault: ProviderFault = { code: 'type' in error ? error.type : undefined, message: error.message, details: body };
  switch (error.type) {
    case 'invalid_arguments':
      fault.fields = {};
      for (const detail of error.details ?? []) {
        (fault.fields[detail.argument_name] ??= []).push(detail.help_message || detail.reason);
      }
      break;
    case 'invalid_request_error':
      if (error.fields) fault.fields = error.fields;
      // The legacy Instance quota answer: the same refusal as `quotas_exceeded`, naming what ran out.
      if (/quota exceeded/i.test(error.message)) {
        fault.code = 'quotas_exceeded';
        fault.message = error.resource ? `${error.message.replace(/\.$/, '')}: ${error.resource}` : error.message;
      }
      break;
    case 'quotas_exceeded':
      fault.message = `${error.message}: ${error.details.map((d) => `${d.resource} ${d.current}/${d.quota}`).join(', ')}`;
      break;
    case 'precondition_failed':
      fault.message = `${error.message}: ${error.help_message || error.precondition}`;
      break;
    case 'transient_state':
      fault.transient = true;
      fault.message = `${error.resource} ${error.resource_id} is ${error.current_state}`;
      break;
    case 'too_many_requests':
      fault.message = `${error.message}${error.help_message ? `: ${error.help_message}` : ''}`;
      break;
  }
  return fault;
}
