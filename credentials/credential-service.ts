import {
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
  private readonly refreshing = new Map<string, Promise<void>>();

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

  async signer(credentialId: string): Promise<RequestSigner> {
    let credential = await this.load(credentialId);
    if (credential.status !== 'ACTIVE') throw new MvError('precondition_failed', `Credential ${credential.domainName} is INACTIVE`);
    const scheme = AUTH_SCHEMES[credential.authenticationType];
    if (!scheme?.sign) {
      throw new MvError('precondition_failed', `Credential ${credential.domainName} is of type ${credential.authenticationType}, which does not authenticate API calls`);
    }
    if (this.needsRefresh(credential)) {
      await this.refresh(credential);
      credential = await this.load(credentialId);
    }
    const open = this.open(credential);
    return (request) => scheme.sign!(open, request);
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
  async verify(credentialId: string): Promise<string> {
    let credential = await this.load(credentialId);
    const notes: string[] = [];
    if (this.needsRefresh(credential)) {
      await this.refresh(credential);
      credential = await this.load(credentialId);
      notes.push(`token renewed until ${credential.tokenExpiry?.toISOString()}`);
    }
    let verifier: Verifier | undefined;
    for (const candidate of this.verifiers) if (!verifier && (await candidate.matches(credential))) verifier = candidate;
    if (verifier) notes.push(`${verifier.name}: ${await verifier.verify(credential, await this.client(credential, verifier.name))}`);
    if (!notes.length) {
      throw new MvError(
        'precondition_failed',
        `Nothing can check a credential for ${credential.domainName}: no installed module declares a check for this domain`,
      );
    }
    await this.markUsed(credentialId);
    return notes.join('; ');
  }

  /** A client for the credential's own domain: the credential goes to that host only. */
  private async client(credential: Credential, provider: string): Promise<ProviderHttp> {
    const base = baseUrlOf(credential.domainName);
    return this.host.http({
      provider,
      baseURL: base.toString(),
      account: `credential:${credential.id}`,
      budget: { requestsPerSecond: 5, burst: 5, concurrency: 2 },
      sign: await this.signer(credential.id),
      allowedHosts: [base.hostname],
    });
  }

  /** The token expired (or is about to), or there is none yet and the type can get one. */
  private needsRefresh(credential: Credential): boolean {
    const expired = !!credential.tokenExpiry && credential.tokenExpiry.getTime() - EXPIRY_MARGIN_MS <= Date.now();
    return expired || (!credential.token && this.refreshers.has(credential.authenticationType));
  }

  /** One refresh at a time per credential: parallel jobs wait for the same one. */
  private refresh(credential: Credential): Promise<void> {
    const running = this.refreshing.get(credential.id);
    if (running) return running;
    const refresher = this.refreshers.get(credential.authenticationType);
    if (!refresher) {
      return Promise.reject(
        new MvError('precondition_failed', `The token of credential ${credential.domainName} expired on ${credential.tokenExpiry?.toISOString()} and ${credential.authenticationType} has no refresher installed`),
      );
    }
    const work = (async () => {
      const fresh = await refresher(this.open(credential), (request) => this.tokenFetch(credential, request));
      const repository = this.host.data.getRepository(Credential);
      const stored = await repository.findOneByOrFail({ id: credential.id });
      stored.token = fresh.token;
      stored.tokenExpiry = fresh.tokenExpiry;
      if (fresh.refreshToken) stored.refreshToken = fresh.refreshToken;
      stored.lastConnection = new Date();
      await repository.save(stored);
      this.host.logger.info({ credential: credential.id, until: fresh.tokenExpiry }, 'credential token renewed');
    })().finally(() => this.refreshing.delete(credential.id));
    this.refreshing.set(credential.id, work);
    return work;
  }

  private async tokenFetch(credential: Credential, request: Parameters<TokenFetch>[0]) {
    const url = new URL(request.url);
    const http = this.host.http({
      provider: `Token endpoint of ${credential.domainName}`,
      baseURL: url.origin,
      account: `credential:${credential.id}`,
      budget: { requestsPerSecond: 5, burst: 5, concurrency: 2 },
    });
    return http.request({ call: request.call, method: request.method, path: url.pathname + url.search, body: request.body, contentType: request.contentType });
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
