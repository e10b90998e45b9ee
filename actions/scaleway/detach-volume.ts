import { ActionError, defineAction, param } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerVolume } from '../../entities/server-volume.js';
import { instance } from '../../providers/scaleway/paths.js';
import { dryRunResult } from './dry-run.js';
import { managedOnly, requireManaged } from './ownership.js';
import { scalewayOf, zoneOf } from './provider.js';
import { holds, refreshServer } from './server-task.js';

/**
 * Detaches one of the server's volumes; the volume is kept. Resumed after a crash, it does not send the
 * detach again when Scaleway shows the volume detached already.
 */
export const detachVolume = defineAction({
  code: 'detachVolume',
  label: 'Detach a volume',
  entity: ScalewayServer,
  kind: 'instance',
  applicable: managedOnly((server) => !!server.providerSideId || 'it is not created at Scaleway yet'),
  confirm: (server) => `Detach the volume from ${server.name}? A running server may lose data still in its cache.`,
  params: { volumeId: param.string({ required: true, label: 'Volume', description: 'Id of a ServerVolume attached to this server' }) },
  async handler(ctx) {
    const server = ctx.record;
    const { provider, api } = await scalewayOf(ctx, server.serviceProviderId);
    const zone = zoneOf(server, provider);
    const volume = await ctx.repo(ServerVolume).findOneBy({ id: ctx.params.volumeId });
    // Resumed, the earlier attempt may have detached it, and recorded it.
    if (!volume?.providerSideId || (volume.serverId !== server.id && !(ctx.job.resumed && volume.serverId === null))) {
      throw new ActionError(`This volume is not attached to ${server.name}`, { field: 'volumeId' });
    }
    if (volume.isBoot && server.state !== 'stopped') throw new ActionError('The boot volume can be detached only while the server is stopped', { field: 'volumeId' });
    requireManaged(volume, `The volume ${volume.name}`, 'volumeId');
    if (ctx.job.dryRun) {
      return dryRunResult(`detach ${volume.name}`, [{ method: 'POST', path: instance(zone, `/servers/${server.providerSideId}/detach-volume`), body: { volume_id: volume.providerSideId } }]);
    }
    if (!ctx.job.resumed || (await holds(api, zone, server, volume.providerSideId))) {
      await ctx.progress(30, `Detaching ${volume.name} from ${server.name}`);
      await api.servers.detachVolume(zone, server.providerSideId!, volume.providerSideId);
    }
    await refreshServer(ctx, api, zone, server);
    return { message: `Detached ${volume.name} from ${server.name}` };
  },
});
