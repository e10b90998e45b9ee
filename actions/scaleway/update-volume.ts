import { ActionError, defineAction, param } from 'mv-infra/core';
import { ServerVolume } from '../../entities/server-volume.js';
import { withOwnerTag } from '../../providers/scaleway/mapping.js';
import { VOLUME_WAIT_MS } from '../../providers/scaleway/timeouts.js';
import { waitForVolume } from '../../providers/scaleway/waiters.js';
import type { UpdateBlockVolumeRequest, UpdateVolumeRequest } from '../../providers/scaleway/wire.js';
import { checkSize } from './create-volume.js';
import { dryRunResult } from './dry-run.js';
import { waitProgress } from './wait-progress.js';
import { managedOnly } from './ownership.js';
import { scalewayOf, zoneOf } from './provider.js';
import { gb } from './units.js';
import { fromWire, isBlock, locateVolume, volumePath } from './volume-apis.js';

/**
 * Sends the record's name and tags to Scaleway, and for a Block volume its size and IOPS. The original
 * module's rules, checked against the volume as Scaleway has it before calling: a local volume can only be
 * renamed; a Block volume can be renamed and grown (within the zone's bounds), never shrunk; no volume
 * changes type.
 */
export const updateVolume = defineAction({
  code: 'updateVolume',
  label: 'Save to Scaleway',
  entity: ServerVolume,
  kind: 'instance',
  description: 'Applies the name and tags of the record at Scaleway; Block volumes can also grow (never shrink) and change IOPS.',
  applicable: managedOnly((volume) => {
    if (volume.kind !== 'volume') return 'a snapshot cannot be changed';
    return !!volume.providerSideId || 'it is not created at Scaleway yet';
  }),
  params: { timeoutMinutes: param.integer({ default: VOLUME_WAIT_MS / 60_000, min: 1, max: 60, label: 'Wait at most (minutes)' }) },
  async handler(ctx) {
    const volume = ctx.record;
    const { provider, api } = await scalewayOf(ctx, volume.serviceProviderId);
    const zone = zoneOf(volume, provider);
    await ctx.progress(10, `Reading ${volume.name} at Scaleway`);
    const current = await locateVolume(api, zone, volume);
    if (!current) throw new ActionError(`${volume.name} (${volume.providerSideId}) no longer exists at Scaleway`, undefined, 'not_found');
    const was = current.fields;
    if (was.volumeType !== volume.volumeType) {
      throw new ActionError(`A volume cannot change type (${was.volumeType} to ${volume.volumeType}): create a new one and copy the data`, { field: 'volumeType' });
    }
    const block = isBlock(volume);
    const request: UpdateVolumeRequest & UpdateBlockVolumeRequest = { name: volume.name, tags: withOwnerTag(volume.tags, volume.id) };
    if (volume.size !== null && volume.size !== was.size) {
      if (!block) throw new ActionError(`A local volume can only be renamed: its size stays ${gb(was.size!)} (set it back, or use a Block volume to grow)`, { field: 'size' });
      if (volume.size < was.size!) throw new ActionError(`A Block volume can grow but never shrink: ${gb(volume.size)} is smaller than its ${gb(was.size!)}`, { field: 'size' });
      await checkSize(api, zone, volume.volumeType, volume.size);
      request.size = volume.size;
    }
    if (volume.iops !== null && volume.iops !== was.iops) {
      if (!block) throw new ActionError('Only Block volumes have an IOPS class; clear the IOPS of this local volume', { field: 'iops' });
      request.perf_iops = volume.iops;
    }
    const path = volumePath(zone, volume);
    if (ctx.job.dryRun) return dryRunResult(`update ${volume.name}`, [{ method: 'PATCH', path, body: request }]);

    await ctx.progress(40, `Updating ${volume.name}`);
    const id = volume.providerSideId!;
    const answered = fromWire(block ? await api.block.updateVolume(zone, id, request) : await api.volumes.update(zone, id, { name: request.name, tags: request.tags }));
    const timeoutMs = ctx.params.timeoutMinutes * 60_000;
    // A Block volume resizes for a while: the record shows the new size once Scaleway has applied it.
    const settled = request.size
      ? fromWire(
          await waitForVolume(api, zone, { id, block }, {
            timeoutMs,
            signal: ctx.signal,
            onPoll: waitProgress(ctx, { from: 50, to: 95, timeoutMs }, (state) => `${volume.name} is ${state}`),
          }),
        )
      : answered;
    await ctx.repo(ServerVolume).update(volume.id, settled.fields);
    const grown = request.size ? `, grown from ${gb(was.size!)} to ${gb(request.size)}` : '';
    return { message: `Saved ${volume.name} at Scaleway${grown}${request.perf_iops ? `, ${request.perf_iops} IOPS` : ''}`, value: request };
  },
});
