import type { ModuleHost } from 'mv-infra/core';
import type { Credentials } from '../credentials/module.js';
import { allowedHostsOf, ServiceProvider } from '../entities/service-provider.js';

/**
 * Tells mv-credentials where each credential may be sent outside provider clients (verification, token
 * renewal): the allowed API hosts of every service provider using it, whatever its provider.
 */
export function registerCredentialHosts(host: ModuleHost): void {
  host.service<Credentials>('mv-credentials', 'credentials').registerHostResolver(async (credential) =>
    (await host.data.getRepository(ServiceProvider).findBy({ credentialId: credential.id })).flatMap(allowedHostsOf),
  );
}
