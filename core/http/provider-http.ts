import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { MvError } from '../errors.js';
import { isAllowedHost } from './allowed-hosts.js';
import type { Logger } from '../logger.js';
import type { RequestBudget } from './budget.js';
import { ProviderError, type ProviderFault } from './provider-error.js';
import { defaultRetry, retryDelayMs, shouldRetry, type RetryPolicy } from './retry.js';

/** A request about to leave, for a credential scheme to sign. Headers may be added or changed. */
export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /** The call's signal: a token renewed while signing stops with the job. */
  signal?: AbortSignal;
}

export type RequestSigner = ((request: OutgoingRequest) => void | Promise<void>) & {
  /** Renews the credential after the provider refused it (401); false when its type cannot renew. */
  renew?(signal?: AbortSignal): Promise<boolean>;
};

export interface ProviderHttpOptions {
  /** Display name used in errors and logs: "Scaleway", "OVHcloud", ... */
  provider: string;
  baseURL: string;
  budget: RequestBudget;
  logger: Logger;
  /** Adds the credential to each request; absent for unauthenticated calls. */
  sign?: RequestSigner;
  /** Hosts the signer may send the credential to. Required when `sign` is set. */
  allowedHosts?: string[];
  /** Turns an error response into the provider's own words. */
  parseError?: (status: number, body: unknown) => ProviderFault;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  /** Header the provider returns its request id in, for the logs. */
  requestIdHeader?: string;
  /** Aborts every call of this client (the job's signal). */
  signal?: AbortSignal;
}

export interface ProviderRequest {
  /** The operation's name, as the provider's docs call it: `listServers`, `createServer`. */
  call: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON unless `contentType` says otherwise (then it must be a string). */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** Overrides whether a lost response may be retried (see retry.ts). */
  idempotent?: boolean;
  signal?: AbortSignal;
}

export interface ProviderResponse<T> {
  status: number;
  data: T;
  headers: Record<string, string>;
}

/** An exchange as the layer reads it: the answer's status and headers, and its body as text until parsed. */
interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string | undefined;
}

const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };

/**
 * The one way provider clients talk HTTP: budget, timeouts, retries with jittered backoff honouring
 * Retry-After, credential only to allowed hosts, one log line per call with secrets left out, and errors
 * that name the provider, the call and what the provider said.
 */
export class ProviderHttp {
  private readonly axios: AxiosInstance;
  private readonly retry: RetryPolicy;

  constructor(readonly options: ProviderHttpOptions) {
    this.retry = { ...defaultRetry(), ...options.retry };
    this.axios = axios.create({
      timeout: options.timeoutMs ?? 30_000,
      httpAgent: agents.http,
      httpsAgent: agents.https,
      // The body is read by exchange(), not collected by axios.
      responseType: 'stream',
      transformResponse: [(data) => data],
      validateStatus: () => true,
      maxRedirects: 0,
      proxy: false,
    });
  }

  get baseURL(): string {
    return this.options.baseURL;
  }

  async request<T = unknown>(request: ProviderRequest): Promise<ProviderResponse<T>> {
    const req = { ...request, signal: request.signal ?? this.options.signal };
    const url = this.url(req);
    this.checkHost(url);
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      if (req.signal?.aborted) throw new MvError('cancelled', 'Cancelled');
      const started = performance.now();
      // Ours, sent as x-request-id (each attempt its own), to find the call in both sides' logs.
      const requestId = req.headers?.['x-request-id'] ?? randomUUID();
      // Only the exchange's failure is kept as an outcome: a request that could not be signed (no token,
      // no key) was never sent, and is thrown at once, not retried as a lost answer.
      const { response, failure } = await this.options.budget.run(async () => {
        const request = await this.prepare(req, url, requestId);
        return this.exchange(request).then(
          (answer) => ({ response: answer, failure: undefined }),
          (error: unknown) => ({ response: undefined, failure: error }),
        );
      });
      const ms = Math.round(performance.now() - started);
      const status = response?.status;
      const headers = response?.headers ?? {};
      const providerRequestId = this.options.requestIdHeader ? headers[this.options.requestIdHeader.toLowerCase()] : undefined;
      const body = response ? parseBody(response.text, headers['content-type']) : undefined;
      // The text is let go of as soon as it is parsed. `response` settled promises made when the call was
      // queued; when many calls are queued at once (every page of a large list), those promises are in V8's
      // old generation by then, and what they hold is kept past every young collection until the next full
      // one, dead or not: a text held here would stay in memory that long, for every page.
      if (response) response.text = undefined;
      const fault = status !== undefined && status >= 400 ? this.fault(status, body) : undefined;
      const log = { provider: this.options.provider, call: req.call, method: req.method, path: url.pathname, status, ms, attempt, requestId, providerRequestId };

      if (status !== undefined && status < 400) {
        this.options.logger.debug(log, 'provider call');
        return { status, data: body as T, headers };
      }
      if (status === 401 && !renewed && (await this.renewCredential(req.signal))) {
        renewed = true;
        this.options.logger.info(log, 'provider call retried with a renewed credential');
        continue;
      }
      const retryable = attempt < this.retry.maxRetries && !req.signal?.aborted &&
        shouldRetry({ method: req.method, status, transient: fault?.transient, idempotent: req.idempotent });
      if (retryable) {
        const wait = retryDelayMs(attempt, this.retry, headers['retry-after']);
        if (status === 429) this.options.budget.holdOff(wait);
        this.options.logger.info({ ...log, retryInMs: wait, reason: fault?.code ?? errorCode(failure) }, 'provider call retried');
        await sleep(wait, req.signal);
        continue;
      }
      this.options.logger.warn({ ...log, error: fault?.code ?? errorCode(failure) }, 'provider call failed');
      throw new ProviderError({
        provider: this.options.provider,
        call: req.call,
        method: req.method,
        path: url.pathname,
        status,
        requestId: providerRequestId,
        ...(fault ?? { message: describeNetworkError(failure, this.options.timeoutMs ?? 30_000) }),
        cause: failure,
      });
    }
  }

  private url(req: ProviderRequest): URL {
    const url = new URL(this.options.baseURL.replace(/\/+$/, '') + req.path);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  /** A credential leaves only for the hosts its provider declared: an edited base URL must not leak it. */
  private checkHost(url: URL): void {
    if (!this.options.sign) return;
    const host = url.hostname.toLowerCase();
    const allowed = (this.options.allowedHosts ?? []).map((h) => h.toLowerCase());
    if (!isAllowedHost(host, allowed)) {
      throw new MvError(
        'forbidden',
        `Refusing to send the ${this.options.provider} credential to ${host}: it is not one of the provider's allowed API hosts (${allowed.join(', ') || 'none'}). Add it to the ServiceProvider's allowed hosts or to MV_ALLOWED_API_HOSTS if it is legitimate.`,
      );
    }
  }

  /** A token revoked or expired early: renewed once per call, then the refused call (which did nothing) is sent again. */
  private async renewCredential(signal?: AbortSignal): Promise<boolean> {
    return (await this.options.sign?.renew?.(signal)) ?? false;
  }

  /**
   * One exchange: the answer's status and headers, and its body as text, read here from axios' stream and
   * decoded as it comes. When axios collects a body, it keeps its chunks (Buffers) and the whole text in
   * the request's objects, which outlive the call for a while (the keep-alive socket and the promises of
   * calls that waited for the budget hold on to them): with the pages of a large list read at once, tens of
   * megabytes of them were kept until V8's next full collection. The timeout covers the body, as it did
   * when axios read it (axios' own ends with the headers of a streamed answer).
   */
  private exchange(request: AxiosRequestConfig): Promise<Answer> {
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const deadline = performance.now() + timeoutMs;
    // A callback, not an async function awaiting axios: what this reads is held only from the answer on.
    return this.axios.request<Readable>(request).then(async (answer) => {
      const text = await readText(answer.data, timeoutMs > 0 ? { ms: deadline - performance.now(), timeoutMs } : undefined);
      return { status: answer.status, headers: flatHeaders(answer.headers), text };
    });
  }

  /** The request as it leaves: headers, body, and the credential's signature. */
  private async prepare(req: ProviderRequest, url: URL, requestId: string): Promise<AxiosRequestConfig> {
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers, 'x-request-id': requestId };
    let body: string | undefined;
    if (req.body !== undefined) {
      const json = req.contentType === undefined || req.contentType === 'application/json';
      body = json ? JSON.stringify(req.body) : String(req.body);
      headers['content-type'] = req.contentType ?? 'application/json';
    }
    await this.options.sign?.({ method: req.method, url, headers, body, signal: req.signal });
    return { method: req.method, url: url.toString(), headers, data: body, signal: req.signal };
  }

  private fault(status: number, body: unknown): ProviderFault {
    const parsed = this.options.parseError?.(status, body) ?? {};
    parsed.message ||= genericMessage(body);
    return parsed;
  }
}

function flatHeaders(headers: AxiosResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value !== undefined && value !== null) out[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/** A body as text (UTF-8, without a byte order mark), or the stream's failure; a body still coming at the deadline fails as a timeout. */
async function readText(stream: Readable, deadline?: { ms: number; timeoutMs: number }): Promise<string> {
  const timer = deadline &&
    setTimeout(() => stream.destroy(Object.assign(new Error(`timeout of ${deadline.timeoutMs}ms exceeded`), { code: 'ECONNABORTED' })), Math.max(0, deadline.ms));
  try {
    stream.setEncoding('utf8');
    let text = '';
    for await (const chunk of stream) text += chunk;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } finally {
    clearTimeout(timer);
  }
}

function parseBody(text: string | undefined, contentType: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  if (contentType?.includes('json') || /^[[{]/.test(text.trimStart())) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** What most APIs put in an error body, for providers without their own parser. */
function genericMessage(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim().slice(0, 300) || undefined;
  const b = body as { message?: unknown; error_description?: unknown; error?: unknown } | undefined;
  for (const candidate of [b?.message, b?.error_description, b?.error]) if (typeof candidate === 'string' && candidate) return candidate;
  return undefined;
}

function errorCode(error: unknown): string | undefined {
  return (error as { code?: string } | undefined)?.code;
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const code = errorCode(error);
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return `no answer within ${timeoutMs / 1000} s`;
  if (code === 'ECONNRESET' || code === 'ERR_BAD_RESPONSE' || code === 'EPIPE') return 'the connection was closed before the answer came';
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ERR_CANCELED') return 'cancelled';
  return (error as Error | undefined)?.message ?? 'request failed';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
