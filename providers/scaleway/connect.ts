import { ActionError, type ActionContext } from 'mv-infra/core';
import { allowedHostsOf, type ServiceProvider } from '../../entities/service-provider.js';
import { ScalewayApi } from './client.js';
import { parseScalewayError } from './errors.js';

/** A Scaleway client for this provider account: its credential, its allowed hosts, its request budget. */
export async function scaleway(ctx: Pick<ActionContext, 'http' | 'credentials'>, provider: ServiceProvider): Promise<ScalewayApi> {
  if (provider.code !== 'SCALEWAY') throw new ActionError(`${provider.name} is a ${provider.code} provider, not Scaleway`);
  if (!provider.credentialId) throw new ActionError(`${provider.name} has no credential: choose one on the service provider`, { field: 'credentialId' });
  const http = ctx.http({
    provider: 'Scaleway',
    baseURL: provider.apiBaseUrl,
    account: `scaleway:${provider.credentialId}`, // the account is the credential: providers sharing it share its budget
    budget: { requestsPerSecond: provider.requestsPerSecond, burst: provider.requestBurst, concurrency: provider.maxConcurrentRequests },
    sign: await ctx.credentials.signer(provider.credentialId),
    allowedHosts: allowedHostsOf(provider),
    parseError: parseScalewayError,
    requestIdHeader: 'x-request-id',
  });
  return new ScalewayApi(http);
}
