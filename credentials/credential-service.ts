import {
  isAllowedHost,
  isMvError,
  MvError,
  SecretBox,
  type CredentialService,
  type ModuleHost,
  type ProviderHttp,
  type RequestSigner,
} from 'mv-infra/core';
import { AUTH_SCHEMES } from './auth/schemes.js';
import type { OpenCredential, RefreshedToken, SecretName, TokenFetch } from './auth/scheme.js';
import { Credential, type AuthenticationType } from './entities/credential.js';

/** Renew a token this long before it expires, so that a call never leaves with a dying one. */
const EXPIRY_MARGIN_MS = 60_000;

export type Refresher = (credential: OpenCredential, fetch: TokenFetch) => Promise<RefreshedToken>;

/**
 * The hosts the modules using a credential allow it to go to (mv-infrastructure: the allowed API hosts of
 * its service providers). mv-credentials cannot know them itself: the dependency goes the other way.
 */
export type HostResolver = (credential: Credential) => string[] | Promise<string[]>;

/** Checks a credential against its provider; returns what it found ("project x, 3 servers"). */
export interface Verifier {
  /** What it checks, for messages: "Scaleway API". */
  name: string;
  matches(credential: Credential): boolean | Promise<boolean>;
  verify(credential: Credential, http: ProviderHttp): Promise<string>;
}

/**
 * Credential lookup, token refresh and request signing. Secrets are opened here only, one field at a
 * time, at the moment a request is signed.
 */
export class Credentials implements CredentialService {
  private readonly refreshers = new Map<AuthenticationType, Refresher>();
  private readonly verifiers: Verifier[] = [];
  private readonly hostResolvers: HostResolver[] = [];
  /** Renewals in flight, with the signal of the job that started each. */
  private readonly refreshing = new Map<string, { work: Promise<void>; signal?: AbortSignal }>();

  constructor(private readonly host: ModuleHost) {
    for (const scheme of Object.values(AUTH_SCHEMES)) if (scheme.refresh) this.refreshers.set(scheme.type, scheme.refresh.bind(scheme));
  }

  /** Providers register how to renew tokens of their scheme (the OVHcloud provider will for Keystone). */
  registerRefresher(type: AuthenticationType, refresher: Refresher): void {
    this.refreshers.set(type, refresher);
  }

  registerVerifier(verifier: Verifier): void {
    this.verifiers.push(verifier);
  }

  /** Modules using credentials tell where each may be sent (see HostResolver). */
  registerHostResolver(resolver: HostResolver): void {
    this.hostResolvers.push(resolver);
  }

  /** Where this credential may be sent: the hosts the modules using it allow, plus MV_ALLOWED_API_HOSTS. */
  async allowedHosts(credential: Credential): Promise<string[]> {
    const fromModules = await Promise.all(this.hostResolvers.map((resolve) => resolve(credential)));
    return [...new Set([...fromModules.flat(), ...this.host.allowedApiHosts].map((host) => host.toLowerCase()))];
  }

  /**
   * Signs each request with the credential's current token: the expiry is kept in memory and checked before
   * every request, so a long job renews it in time; the database is read again only near the expiry.
   */
  async signer(credentialId: string, signal?: AbortSignal): Promise<RequestSigner> {
    let credential = await this.loadSigning(credentialId);
    const scheme = AUTH_SCHEMES[credential.authenticationType];
    let open = this.open(credential);
    const current = async (callSignal: AbortSignal | undefined, force = false) => {
      if (!force && !this.needsRefresh(credential)) return;
      credential = await this.loadSigning(credentialId); // another process may have renewed it already
      if (force || this.needsRefresh(credential)) {
        await this.refresh(credential, callSignal);
        credential = await this.loadSigning(credentialId);
      }
      open = this.open(credential);
    };
    await current(signal);
    const sign: RequestSigner = async (request) => {
      await current(request.signal ?? signal);
      await scheme.sign!(open, request);
    };
    sign.renew = async (requestSignal) => {
      if (!this.refreshers.has(credential.authenticationType)) return false;
      try {
        await current(requestSignal ?? signal, true);
        return true;
      } catch (error) {
        // Cannot be renewed (no refresh token, deactivated): the provider's own 401 says more.
        if (isMvError(error) && error.code === 'precondition_failed') return false;
        throw error;
      }
    };
    return sign;
  }

  async findIdByDomain(domain: string): Promise<string> {
    const wanted = normalizeDomain(domain);
    const active = await this.host.data.getRepository(Credential).find({ where: { status: 'ACTIVE' }, order: { createdAt: 'ASC' } });
    // The longest stored domain that the wanted one starts with: `api.cloudflare.com/client/v4` beats `api.cloudflare.com`.
    const matches = active
      .map((c) => ({ id: c.id, domain: normalizeDomain(c.domainName) }))
      .filter((c) => wanted === c.domain || wanted.startsWith(c.domain + '/'));
    const best = Math.max(-1, ...matches.map((m) => m.domain.length));
    const chosen = matches.filter((m) => m.domain.length === best);
    if (!chosen.length) throw new MvError('not_found', `No active credential for ${wanted}`);
    if (chosen.length > 1) {
      throw new MvError('conflict', `${chosen.length} active credentials match ${wanted} (${chosen.map((c) => c.id).join(', ')}): choose one explicitly`);
    }
    return chosen[0].id;
  }

  async markUsed(credentialId: string): Promise<void> {
    await this.host.data.getRepository(Credential).update({ id: credentialId }, { lastConnection: new Date() });
  }

  async reveal(credentialId: string, field: string): Promise<string | undefined> {
    return this.open(await this.load(credentialId)).secret(field as SecretName);
  }

  /** Refreshes the token when it needs it (as signing does), then runs the provider check a module registered. */
  async verify(credentialId: string, signal?: AbortSignal): Promise<string> {
    let credential = await this.load(credentialId);
    let verifier: Verifier | undefined;
    for (const candidate of this.verifiers) if (!verifier && (await candidate.matches(credential))) verifier = candidate;
    const base = baseUrlOf(credential.domainName);
    // Before anything leaves, a token renewal included: a record edited to point elsewhere gets nothing.
    if (verifier) this.checkHost(credential, base.hostname, await this.allowedHosts(credential), 'its domain name');
    const notes: string[] = [];
    if (this.needsRefresh(credential)) {
      await this.refresh(credential, signal);
      credential = await this.load(credentialId);
      notes.push(`token renewed until ${credential.tokenExpiry?.toISOString()}`);
    }
    if (verifier) {
      const http = this.host.http({
        provider: verifier.name,
        baseURL: base.toString(),
        account: `credential:${credential.id}`,
        budget: { requestsPerSecond: 5, burst: 5, concurrency: 2 },
        sign: await this.signer(credential.id, signal),
        allowedHosts: [base.hostname],
        signal,
      });
      notes.push(`${verifier.name}: ${await verifier.verify(credential, http)}`);
    }
    if (!notes.length) {
      throw new MvError(
        'precondition_failed',
        `Nothing can check a credential for ${credential.domainName}: no installed module declares a check for this domain`,
      );
    }
    await this.markUsed(credentialId);
    return notes.join('; ');
  }

  /** Refuses a host that neither the credential's users nor MV_ALLOWED_API_HOSTS allow. */
  private checkHost(credential: Credential, host: string, allowed: string[], what: string): void {
    host = host.toLowerCase();
    if (isAllowedHost(host, allowed)) return;
    const why = allowed.length ? `only ${allowed.join(', ')} may receive it` : 'no service provider uses it and MV_ALLOWED_API_HOSTS does not list that host';
    throw new MvError(
      'forbidden',
      `Refusing to send the credential of ${credential.domainName} to ${host} (${what}): ${why}. If ${host} is legitimate, add it to the allowed API hosts of the service provider using this credential, or to MV_ALLOWED_API_HOSTS.`,
    );
  }

  /** The token expired (or is about to), or there is none yet and the type can get one. */
  private needsRefresh(credential: Credential): boolean {
    const expired = !!credential.tokenExpiry && credential.tokenExpiry.getTime() - EXPIRY_MARGIN_MS <= Date.now();
    return expired || (!credential.token && this.refreshers.has(credential.authenticationType));
  }

  /** One refresh at a time per credential: parallel jobs wait for the same one. */
  private async refresh(credential: Credential, signal?: AbortSignal): Promise<void> {
    const running = this.refreshing.get(credential.id);
    if (running) {
      try {
        return await running.work;
      } catch (error) {
        // The job that started it was cancelled, not us: renew for ourselves.
        if (!running.signal?.aborted || signal?.aborted) throw error;
        return this.refresh(credential, signal);
      }
    }
    const refresher = this.refreshers.get(credential.authenticationType);
    if (!refresher) {
      return Promise.reject(
        new MvError('precondition_failed', `The token of credential ${credential.domainName} expired on ${credential.tokenExpiry?.toISOString()} and ${credential.authenticationType} has no refresher installed`),
      );
    }
    const work = (async () => {
      const fresh = await refresher(this.open(credential), (request) => this.tokenFetch(credential, request, signal));
      const repository = this.host.data.getRepository(Credential);
      const stored = await repository.findOneByOrFail({ id: credential.id });
      stored.token = fresh.token;
      stored.tokenExpiry = fresh.tokenExpiry;
      if (fresh.refreshToken) stored.refreshToken = fresh.refreshToken;
      stored.lastConnection = new Date();
      await repository.save(stored);
      this.host.logger.info({ credential: credential.id, until: fresh.tokenExpiry }, 'credential token renewed');
    })().finally(() => this.refreshing.delete(credential.id));
    this.refreshing.set(credential.id, { work, signal });
    return work;
  }

  /** The token endpoint gets the refresh token and client secret: its host must be allowed like the API's. */
  private async tokenFetch(credential: Credential, request: Parameters<TokenFetch>[0], signal?: AbortSignal) {
    const url = new URL(request.url);
    this.checkHost(credential, url.hostname, await this.allowedHosts(credential), 'its token endpoint');
    const http = this.host.http({
      provider: `Token endpoint of ${credential.domainName}`,
      baseURL: url.origin,
      // Its own budget: a renewal made while signing runs inside a slot of the API client's budget.
      account: `credential-token:${credential.id}`,
      budget: { requestsPerSecond: 5, burst: 5, concurrency: 2 },
      signal,
    });
    return http.request({ call: request.call, method: request.method, path: url.pathname + url.search, body: request.body, contentType: request.contentType });
  }

  /** A credential that can sign API calls now: active, and of a type that authenticates requests. */
  private async loadSigning(id: string): Promise<Credential> {
    const credential = await this.load(id);
    if (credential.status !== 'ACTIVE') throw new MvError('precondition_failed', `Credential ${credential.domainName} is INACTIVE`);
    if (!AUTH_SCHEMES[credential.authenticationType]?.sign) {
      throw new MvError('precondition_failed', `Credential ${credential.domainName} is of type ${credential.authenticationType}, which does not authenticate API calls`);
    }
    return credential;
  }

  private async load(id: string): Promise<Credential> {
    const credential = await this.host.data.getRepository(Credential).findOneBy({ id });
    if (!credential) throw new MvError('not_found', `No credential with id ${id}`);
    return credential;
  }

  private open(credential: Credential): OpenCredential {
    const secrets = this.host.secrets;
    return {
      id: credential.id,
      domainName: credential.domainName,
      username: credential.username,
      headerKey: credential.headerKey,
      headerValue: credential.headerValue,
      tokenExpiry: credential.tokenExpiry,
      extraParameters: credential.extraParameters ?? {},
      secret(field) {
        const value = credential[field];
        if (!value) return undefined;
        return SecretBox.isSealed(value) ? secrets.open(value, `Credential.${field}`) : value;
      },
    };
  }
}

/** https, except on loopback where the sandbox emulators listen on plain http. */
export function baseUrlOf(domainName: string): URL {
  const domain = normalizeDomain(domainName);
  const loopback = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/.test(domain);
  return new URL(`${loopback ? 'http' : 'https'}://${domain}`);
}

/** `https://API.Example.com/v4/` → `api.example.com/v4`. */
export function normalizeDomain(domain: string): string {
  return domain.trim().replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '').toLowerCase();
}
