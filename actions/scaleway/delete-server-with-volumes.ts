import { defineAction } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerVolume } from '../../entities/server-volume.js';
import { ignoreGone } from '../../providers/scaleway/outcomes.js';
import { instance } from '../../providers/scaleway/paths.js';
import { VOLUME_WAIT_MS } from '../../providers/scaleway/timeouts.js';
import { waitForBlockVolumeDetached } from '../../providers/scaleway/waiters.js';
import { dryRunResult } from './dry-run.js';
import { requireManaged } from './ownership.js';
import { scalewayOf, zoneOf } from './provider.js';
import { deletable, removeServerRecord } from './server-removal.js';
import { deleteAtScaleway, deleteCall, isBlock } from './volume-apis.js';
import { waitProgress } from './wait-progress.js';

/**
 * Deletes a stopped server and then each of its volumes. Steps: every volume must be ours (checked before
 * any call) → delete the server → wait until Scaleway lets go of each Block volume (it refuses to delete
 * one still held) → delete the volumes (local ones through the Instance API, Block ones through the Block
 * API) → remove the records, all in one transaction. Safe to run again: what is gone already is skipped,
 * and the records stay until everything is deleted.
 */
export const deleteServerWithVolumes = defineAction({
  code: 'deleteServerWithVolumes',
  label: 'Delete with its volumes',
  entity: ScalewayServer,
  kind: 'instance',
  description: 'Deletes the stopped server and all its volumes. The data on them is lost.',
  applicable: deletable,
  confirm: (server) => `Delete ${server.name} and ALL its volumes? Their data is lost for good.`,
  async handler(ctx) {
    const server = ctx.record;
    const { provider, api } = await scalewayOf(ctx, server.serviceProviderId);
    const zone = zoneOf(server, provider);
    const volumes = await ctx.repo(ServerVolume).findBy({ serverId: server.id });
    for (const volume of volumes) requireManaged(volume, `The volume ${volume.name}`, 'serverId');
    if (ctx.job.dryRun) {
      return dryRunResult(`delete ${server.name} and ${volumes.length} volumes`, [
        { method: 'DELETE', path: instance(zone, `/servers/${server.providerSideId}`) },
        ...volumes.map((volume) => deleteCall(zone, volume)),
      ]);
    }
    await ctx.progress(10, `Deleting ${server.name}`);
    await ignoreGone(api.servers.delete(zone, server.providerSideId!));
    for (const [index, volume] of volumes.entries()) {
      const from = 30 + (60 * index) / volumes.length;
      if (isBlock(volume) && volume.providerSideId) {
        const range = { from, to: from + 30 / volumes.length, timeoutMs: VOLUME_WAIT_MS };
        await waitForBlockVolumeDetached(api, zone, volume.providerSideId, { ...range, signal: ctx.signal, onPoll: waitProgress(ctx, range, (state) => `Volume ${volume.name} is ${state}`) });
      }
      await ctx.progress(from + 30 / volumes.length, `Deleting volume ${volume.name}`);
      await deleteAtScaleway(api, zone, volume);
    }
    await removeServerRecord(ctx, server, volumes);
    return { message: `Deleted ${server.name} and its ${volumes.length} volumes`, value: { deletedVolumes: volumes.map((v) => v.providerSideId) } };
  },
});
