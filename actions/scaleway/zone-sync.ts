import { param, type ActionContext, type ActionResult, type EntityClass } from 'mv-infra/core';
import type { ServiceProvider } from '../../entities/service-provider.js';
import type { ScalewayApi } from '../../providers/scaleway/client.js';
import { scaleway } from '../../providers/scaleway/connect.js';
import { existingIds, type ResourceKey } from '../shared/upsert-resources.js';
import { pickScalewayProvider, zonesOf } from './pick-provider.js';

/** The parameter of every list action: which Scaleway account, when there are several. */
export const serviceProviderParam = param.string({ label: 'Service provider', description: 'Needed when there are several Scaleway accounts' });

export interface ZoneListing {
  api: ScalewayApi;
  provider: ServiceProvider;
  zone: string;
}

export interface ZoneOutcome {
  /** How many resources Scaleway listed in the zone. */
  listed: number;
  /** The records written, by zone and provider id (new ones are counted from it). */
  written: Map<ResourceKey, string>;
  /** How many records were let go of because their resource is gone. */
  gone: number;
  /** Other counts for the job's value (rules...). */
  more?: Record<string, number>;
}

/**
 * The frame every list action shares: the account (the one named, or the only one), a client on it, then
 * each of its configured zones in turn, never a hard-coded list; counts of what was listed, new and gone.
 */
export async function syncEachZone(ctx: ActionContext, entity: EntityClass, what: string, sync: (at: ZoneListing) => Promise<ZoneOutcome>): Promise<ActionResult> {
  const provider = await pickScalewayProvider(ctx, ctx.params.serviceProviderId as string | undefined);
  const api = await scaleway(ctx, provider);
  const zones = zonesOf(provider);
  const known = await existingIds(ctx.data, entity, provider.id);
  const counts: Record<string, number> = { listed: 0, added: 0, gone: 0 };
  for (const [index, zone] of zones.entries()) {
    await ctx.progress((index / zones.length) * 100, `Listing the ${what} of ${zone}`);
    const outcome = await sync({ api, provider, zone });
    counts.listed += outcome.listed;
    counts.gone += outcome.gone;
    counts.added += [...outcome.written.keys()].filter((key) => !known.has(key)).length;
    for (const [name, n] of Object.entries(outcome.more ?? {})) counts[name] = (counts[name] ?? 0) + n;
  }
  const gone = counts.gone ? `, ${counts.gone} gone` : '';
  return { message: `Synced ${counts.listed} ${what} of ${provider.name} in ${zones.join(', ')} (${counts.added} new${gone})`, value: counts };
}
