import { ActionError, type ActionContext } from 'mv-infra/core';
import { ServiceProvider } from '../../entities/service-provider.js';

/** The Scaleway account a list action works on: the one named, or the only one there is. */
export async function pickScalewayProvider(ctx: ActionContext, serviceProviderId: string | undefined): Promise<ServiceProvider> {
  const repo = ctx.repo(ServiceProvider);
  if (serviceProviderId) {
    const provider = await repo.findOneBy({ id: serviceProviderId });
    if (!provider || provider.code !== 'SCALEWAY') throw new ActionError(`No Scaleway service provider with id ${serviceProviderId}`, { field: 'serviceProviderId' });
    return provider;
  }
  const all = await repo.findBy({ code: 'SCALEWAY' });
  if (all.length === 1) return all[0];
  throw new ActionError(
    all.length ? `There are ${all.length} Scaleway service providers: say which with serviceProviderId (${all.map((p) => `${p.name}: ${p.id}`).join(', ')})` : 'No Scaleway service provider yet: create one first',
    { field: 'serviceProviderId' },
  );
}

/** The zones a provider is configured for; never a hard-coded list. */
export function zonesOf(provider: ServiceProvider): string[] {
  if (!provider.zones?.length) throw new ActionError(`${provider.name} has no zones: set them on the service provider (e.g. ["fr-par-1"])`, { field: 'zones' });
  return provider.zones;
}
