import type { ModuleHost } from 'mv-infra/core';
import type { Credentials } from '../../credentials/module.js';
import { ServiceProvider } from '../../entities/service-provider.js';
import { instance } from './paths.js';

/**
 * Teaches mv-credentials to check Scaleway credentials: those for api.scaleway.com and those a Scaleway
 * service provider uses. The check lists one server of the provider's first zone.
 */
export function registerScalewayVerifier(host: ModuleHost): void {
  const providers = () => host.data.getRepository(ServiceProvider);
  host.service<Credentials>('mv-credentials', 'credentials').registerVerifier({
    name: 'Scaleway',
    matches: async (credential) => credential.domainName === 'api.scaleway.com' || (await providers().existsBy({ credentialId: credential.id, code: 'SCALEWAY' })),
    async verify(credential, http) {
      const provider = await providers().findOneBy({ credentialId: credential.id, code: 'SCALEWAY' });
      const zone = provider?.zones?.[0] ?? 'fr-par-1';
      const { headers } = await http.request({ call: 'listServers', method: 'GET', path: instance(zone, '/servers'), query: { per_page: 1 } });
      return `authenticated; ${headers['x-total-count'] ?? 'some'} servers in ${zone}`;
    },
  });
}
