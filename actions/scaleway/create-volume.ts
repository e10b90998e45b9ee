import { ActionError, defineAction, param, type ActionContext } from 'mv-infra/core';
import { ownerTag } from '../../entities/provider-resource.js';
import { ServerVolume } from '../../entities/server-volume.js';
import type { ScalewayApi } from '../../providers/scaleway/client.js';
import { withOwnerTag } from '../../providers/scaleway/mapping.js';
import { block, instance } from '../../providers/scaleway/paths.js';
import { VOLUME_WAIT_MS } from '../../providers/scaleway/timeouts.js';
import { waitForVolume } from '../../providers/scaleway/waiters.js';
import type { CreateBlockVolumeRequest, CreateVolumeRequest } from '../../providers/scaleway/wire.js';
import { dryRunResult } from './dry-run.js';
import { waitProgress } from './wait-progress.js';
import { findOrCreate } from './find-or-create.js';
import { managedOnly } from './ownership.js';
import { projectOf, scalewayOf, zoneOf } from './provider.js';
import { GB, gb } from './units.js';
import { fromWire, isBlock, readVolume } from './volume-apis.js';

/** The types a volume can be created as: SBS through the Block API, local ones through the Instance API. */
const CREATABLE = ['sbs_volume', 'l_ssd', 'scratch'] as const;
const DEFAULT_IOPS = 5000;

type Planned = { block: true; path: string; body: CreateBlockVolumeRequest } | { block: false; path: string; body: CreateVolumeRequest };

/**
 * Creates the volume the user described: an SBS volume (Block Storage API, `perf_iops` from the IOPS field)
 * or a local one (`l_ssd`, `scratch`, Instance API), empty with a size or from a snapshot.
 *
 * Steps: check the type and the size against the zone's volume constraints → create, tagged with this
 * record's id → keep the Scaleway id at once → wait until it is available → record it. A create whose
 * answer was lost is found by its tag and adopted, never made twice.
 */
export const createVolume = defineAction({
  code: 'createVolume',
  label: 'Create on Scaleway',
  entity: ServerVolume,
  kind: 'instance',
  description: 'Creates the volume at Scaleway (Block Storage for sbs_volume, local for l_ssd and scratch), empty or from a snapshot, and waits until it is available.',
  applicable: managedOnly((volume) => {
    if (volume.kind !== 'volume') return 'snapshots are taken by a backup, not created here';
    return !volume.providerSideId || 'it exists at Scaleway already';
  }),
  confirm: (volume) => {
    const source = volume.size ? gb(volume.size) : volume.baseSnapshot ? `from snapshot ${volume.baseSnapshot}` : 'no size given';
    return `Create ${volume.name} (${volume.volumeType}, ${source}) in ${volume.zone ?? 'its zone'}? Scaleway bills it from now on.`;
  },
  params: { timeoutMinutes: param.integer({ default: VOLUME_WAIT_MS / 60_000, min: 1, max: 60, label: 'Wait at most (minutes)' }) },
  async handler(ctx) {
    const volume = ctx.record;
    const { provider, api } = await scalewayOf(ctx, volume.serviceProviderId);
    const zone = zoneOf(volume, provider);
    await ctx.progress(5, `Checking ${volume.name} against the ${volume.volumeType} constraints of ${zone}`);
    const planned = await plan(ctx, api, zone, projectOf(volume, provider));
    if (ctx.job.dryRun) return dryRunResult(`create ${volume.name}`, [{ method: 'POST', path: planned.path, body: planned.body }]);

    const tag = ownerTag(volume.id);
    const created = volume.providerSideId
      ? await readVolume(api, zone, volume)
      : await findOrCreate(ctx, {
          kind: 'volume',
          name: volume.name,
          label: (found) => found.fields.name ?? volume.name,
          find: async () => {
            const [found] = planned.block ? await api.block.listVolumes(zone, { tags: [tag] }) : await api.volumes.list(zone, { tags: [tag] });
            return found && fromWire(found);
          },
          create: async () => fromWire(planned.block ? await api.block.createVolume(zone, planned.body) : await api.volumes.create(zone, planned.body)),
        });
    const repo = ctx.repo(ServerVolume);
    await repo.update(volume.id, { providerSideId: created.id, zone, state: created.state });

    const timeoutMs = ctx.params.timeoutMinutes * 60_000;
    await ctx.progress(40, `Waiting for ${volume.name} to be available`);
    const ready = fromWire(
      await waitForVolume(api, zone, { id: created.id, block: planned.block }, {
        timeoutMs,
        signal: ctx.signal,
        onPoll: waitProgress(ctx, { from: 40, to: 95, timeoutMs }, (state) => `${volume.name} is ${state}`),
      }),
    );
    await repo.update(volume.id, { ...ready.fields, zone });
    const { size, iops } = ready.fields;
    return {
      message: `Created ${volume.name} (${created.id}) in ${zone}: ${size ? gb(size) : 'size of its snapshot'} ${volume.volumeType}${planned.block ? `, ${iops} IOPS` : ''}, ${ready.state}`,
      value: { id: created.id, state: ready.state, size },
    };
  },
});

/** The create request, after the checks Scaleway would otherwise make us find out about the hard way. */
async function plan(ctx: ActionContext<ServerVolume>, api: ScalewayApi, zone: string, project: string | undefined): Promise<Planned> {
  const volume = ctx.record;
  const type = volume.volumeType;
  if (!(CREATABLE as readonly string[]).includes(type)) {
    throw new ActionError(`${type} volumes cannot be created: choose sbs_volume (Block Storage), l_ssd or scratch`, { field: 'volumeType' });
  }
  if ((volume.size === null) === !volume.baseSnapshot) {
    throw new ActionError(volume.baseSnapshot ? 'Give a size or a base snapshot, not both: a volume from a snapshot has its size' : 'Give the size, or a snapshot to create the volume from', {
      field: 'size',
    });
  }
  if (volume.size !== null) await checkSize(api, zone, type, volume.size);
  const tags = withOwnerTag(volume.tags, volume.id);
  if (isBlock(volume)) {
    const source = volume.size !== null ? { from_empty: { size: volume.size } } : { from_snapshot: { snapshot_id: volume.baseSnapshot! } };
    return { block: true, path: block(zone, '/volumes'), body: { name: volume.name, perf_iops: volume.iops ?? DEFAULT_IOPS, project_id: project, tags, ...source } };
  }
  const source = volume.size !== null ? { size: volume.size } : { base_snapshot: volume.baseSnapshot! };
  return { block: false, path: instance(zone, '/volumes'), body: { name: volume.name, volume_type: type, project, tags, ...source } };
}

/** Block Storage's documented bounds, for a catalogue that does not list sbs_volume among the Instance volume types. */
const BLOCK_BOUNDS = { min: 1 * GB, max: 10_000 * GB };

/** The size must be within the zone's bounds for the type; local volumes are counted in 512-byte sectors. */
export async function checkSize(api: ScalewayApi, zone: string, type: string, size: number): Promise<void> {
  const constraints = (await api.products.volumeTypes(zone))[type]?.constraints ?? (type === 'sbs_volume' ? BLOCK_BOUNDS : undefined);
  if (!constraints) throw new ActionError(`Scaleway offers no ${type} volumes in ${zone}`, { field: 'volumeType' });
  if (size < constraints.min || size > constraints.max) {
    throw new ActionError(`${type} volumes in ${zone} take ${gb(constraints.min)} to ${gb(constraints.max)}; ${gb(size)} is out of bounds`, { field: 'size' });
  }
  if (type !== 'sbs_volume' && size % 512 !== 0) throw new ActionError(`A local volume's size is a whole number of 512-byte sectors; ${size} bytes is not`, { field: 'size' });
}
