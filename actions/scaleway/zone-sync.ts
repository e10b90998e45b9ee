import { param, type ActionContext, type ActionResult } from 'mv-infra/core';
import type { ServiceProvider } from '../../entities/service-provider.js';
import type { ScalewayApi } from '../../providers/scaleway/client.js';
import { scaleway } from '../../providers/scaleway/connect.js';
import { settled } from '../shared/settled.js';
import { readsDryRun } from './dry-run.js';
import { pickScalewayProvider, zonesOf } from './pick-provider.js';

/** The parameter of every list action: which Scaleway account, when there are several. */
export const serviceProviderParam = param.string({ label: 'Service provider', description: 'Needed when there are several Scaleway accounts' });

/** Syncs of one account never run together; syncs of two accounts do (the job's lock key). */
export const perProvider = (params: { serviceProviderId?: string }): string => params.serviceProviderId ?? '*';

export interface ZoneListing {
  api: ScalewayApi;
  provider: ServiceProvider;
  zone: string;
}

export interface ZoneOutcome {
  /** How many resources Scaleway listed in the zone. */
  listed: number;
  /** How many of them were new records. */
  added: number;
  /** How many records were let go of because their resource is gone. */
  gone: number;
  /** Other counts for the job's value (rules...). */
  more?: Record<string, number>;
}

export interface ZoneSyncOptions {
  /** The lists read in a zone (paths), for a dry run's answer. */
  reads: (zone: string) => string[];
  /** All zones at once (each is still written through the caller's queue) rather than one after the other. */
  parallel?: boolean;
  /** Appended to the message (a filter that applied). */
  note?: (provider: ServiceProvider) => string;
}

/**
 * The frame every list action shares: the account (the one named, or the only one), a client on it, then
 * each of its configured zones, never a hard-coded list; counts of what was listed, new and gone. A dry
 * run answers what would be read and recorded, and reads and writes nothing. Zones run in parallel end
 * before the job does, even when one fails.
 */
export async function syncEachZone(ctx: ActionContext, what: string, sync: (at: ZoneListing) => Promise<ZoneOutcome>, options: ZoneSyncOptions): Promise<ActionResult> {
  const provider = await pickScalewayProvider(ctx, ctx.params.serviceProviderId as string | undefined);
  const zones = zonesOf(provider);
  if (ctx.job.dryRun) return readsDryRun(`sync the ${what} of ${provider.name}`, zones.flatMap(options.reads));
  const api = await scaleway(ctx, provider);
  const counts: Record<string, number> = { listed: 0, added: 0, gone: 0 };
  let finished = 0;
  const one = async (zone: string) => {
    const outcome = await sync({ api, provider, zone });
    for (const [name, n] of Object.entries({ listed: outcome.listed, added: outcome.added, gone: outcome.gone, ...outcome.more })) counts[name] = (counts[name] ?? 0) + n;
    finished++;
    await ctx.progress((100 * finished) / zones.length, `${zone}: ${outcome.listed} ${what}`);
  };
  if (options.parallel) {
    await ctx.progress(0, `Listing the ${what} of ${zones.join(', ')}`);
    await settled(zones.map(one));
  } else {
    for (const zone of zones) {
      await ctx.progress((100 * finished) / zones.length, `Listing the ${what} of ${zone}`);
      await one(zone);
    }
  }
  const gone = counts.gone ? `, ${counts.gone} gone` : '';
  return { message: `Synced ${counts.listed} ${what} of ${provider.name} in ${zones.join(', ')} (${counts.added} new${gone})${options.note?.(provider) ?? ''}`, value: counts };
}
