import type { RequestSigner } from './http/provider-http.js';

/**
 * What actions may ask of the credential module. mv-credentials provides it; the host only knows this
 * shape, so that the dependency goes one way (infrastructure → credentials).
 */
export interface CredentialService {
  /**
   * A signer that adds the credential to outgoing requests, according to its authentication type, after
   * refreshing an expired token. Throws when the credential is missing or inactive.
   */
  signer(credentialId: string): Promise<RequestSigner>;
  /** The id of the one active credential for this domain (host, optionally with a path). */
  findIdByDomain(domain: string): Promise<string>;
  /** Records a successful use (lastConnection). */
  markUsed(credentialId: string): Promise<void>;
  /** Opens one secret field, for schemes that need the value itself (e.g. an SSH key). */
  reveal(credentialId: string, field: string): Promise<string | undefined>;
}
