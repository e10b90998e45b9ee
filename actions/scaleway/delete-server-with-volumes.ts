import { defineAction } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerVolume } from '../../entities/server-volume.js';
import { instance } from '../../providers/scaleway/paths.js';
import { dryRunResult } from './dry-run.js';
import { ignoreGone } from './provider-outcomes.js';
import { scalewayOf, zoneOf } from './provider.js';
import { deletable, removeServerRecord } from './server-removal.js';
import { deleteAtScaleway, deleteCall } from './volume-apis.js';

/**
 * Deletes a stopped server and then each of its volumes (local through the Instance API, Block ones
 * through the Block API once they are detached). Safe to run again: what is gone already is skipped.
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
    if (ctx.job.dryRun) {
      return dryRunResult(`delete ${server.name} and ${volumes.length} volumes`, [
        { method: 'DELETE', path: instance(zone, `/servers/${server.providerSideId}`) },
        ...volumes.map((volume) => deleteCall(zone, volume)),
      ]);
    }
    await ctx.progress(10, `Deleting ${server.name}`);
    await ignoreGone(api.servers.delete(zone, server.providerSideId!));
    await removeServerRecord(ctx, server);
    for (const [index, volume] of volumes.entries()) {
      await ctx.progress(30 + (60 * index) / volumes.length, `Deleting volume ${volume.name}`);
      await deleteAtScaleway(api, zone, volume);
      await ctx.repo(ServerVolume).delete({ id: volume.id });
    }
    return { message: `Deleted ${server.name} and its ${volumes.length} volumes`, value: { deletedVolumes: volumes.map((v) => v.providerSideId) } };
  },
});
