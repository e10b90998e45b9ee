import { ActionError, type ActionContext } from 'mv-infra/core';
import { ServiceProvider } from '../../entities/service-provider.js';
import type { ScalewayApi } from '../../providers/scaleway/client.js';
import { scaleway } from '../../providers/scaleway/connect.js';

/** The Scaleway account a record belongs to, and a client on it. */
export async function scalewayOf(ctx: ActionContext, serviceProviderId: string | null): Promise<{ provider: ServiceProvider; api: ScalewayApi }> {
  if (!serviceProviderId) throw new ActionError('Choose the service provider (Scaleway account) first', { field: 'serviceProviderId' });
  const provider = await ctx.repo(ServiceProvider).findOneBy({ id: serviceProviderId });
  if (!provider) throw new ActionError(`The service provider ${serviceProviderId} no longer exists`, undefined, 'not_found');
  return { provider, api: await scaleway(ctx, provider) };
}

/** The zone of a record, required for every Scaleway call. */
export function zoneOf(record: { zone: string | null }, provider: ServiceProvider): string {
  const zone = record.zone ?? (provider.zones?.length === 1 ? provider.zones[0] : null);
  if (!zone) throw new ActionError('Choose the zone (e.g. fr-par-1)', { field: 'zone' });
  return zone;
}

/** The project new resources go to: the record's, else the provider's default. */
export function projectOf(record: { project: string | null }, provider: ServiceProvider): string | undefined {
  return record.project ?? provider.defaultProject ?? undefined;
}
