import { MvError, type ErrorCode } from '../errors.js';

/** What a provider said when it refused a call, in its own words. */
export interface ProviderFault {
  /** The provider's error type or code, e.g. `invalid_arguments`, `itemNotFound`, 10012. */
  code?: string;
  message?: string;
  /** Per-field problems, keyed by the provider's argument name. */
  fields?: Record<string, string[]>;
  details?: unknown;
  /** The resource is busy: the same call will work once it settles. */
  transient?: boolean;
}

export interface ProviderErrorInit extends ProviderFault {
  provider: string;
  call: string;
  method: string;
  path: string;
  status?: number;
  requestId?: string;
  cause?: unknown;
}

/**
 * A failed provider call. The message names the provider, the call, the HTTP status and the provider's
 * own message, e.g. `Scaleway createServer (POST /servers): 400 invalid_arguments: name is required`.
 */
export class ProviderError extends MvError {
  readonly provider: string;
  readonly call: string;
  readonly httpStatus?: number;
  readonly providerCode?: string;
  readonly providerMessage?: string;
  readonly fields?: Record<string, string[]>;
  readonly requestId?: string;

  constructor(init: ProviderErrorInit) {
    const what = `${init.provider} ${init.call} (${init.method.toUpperCase()} ${init.path})`;
    const status = init.status === undefined ? 'no response' : String(init.status);
    const said = [init.code, init.message].filter(Boolean).join(': ');
    const fields = init.fields
      ? ' — ' + Object.entries(init.fields).map(([f, m]) => `${f}: ${m.join(', ')}`).join('; ')
      : '';
    super(codeFor(init.status), `${what}: ${status}${said ? ` ${said}` : ''}${fields}`, {
      provider: init.provider,
      call: init.call,
      status: init.status,
      providerCode: init.code,
      providerMessage: init.message,
      fields: init.fields,
      details: init.details,
      requestId: init.requestId,
    }, { cause: init.cause });
    this.provider = init.provider;
    this.call = init.call;
    this.httpStatus = init.status;
    this.providerCode = init.code;
    this.providerMessage = init.message;
    this.fields = init.fields;
    this.requestId = init.requestId;
  }

  get notFound(): boolean {
    return this.httpStatus === 404;
  }

  /** No answer came back (timeout, dropped connection): the call may or may not have been done. */
  get lostResponse(): boolean {
    return this.httpStatus === undefined;
  }
}

function codeFor(status: number | undefined): ErrorCode {
  if (status === undefined) return 'provider_error';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 400 || status === 422) return 'validation_failed';
  if (status === 412) return 'precondition_failed';
  return 'provider_error';
}
