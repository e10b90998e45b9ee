import { ActionError, defineAction, param } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerVolume } from '../../entities/server-volume.js';
import { instance } from '../../providers/scaleway/paths.js';
import { dryRunResult } from './dry-run.js';
import { managedOnly, requireManaged } from './ownership.js';
import { scalewayOf, zoneOf } from './provider.js';
import { holds, refreshServer } from './server-task.js';
import { attachedType } from './volume-apis.js';

/**
 * Attaches a detached volume of the same zone to the server. Resumed after a crash, it does not send the
 * attach again when Scaleway shows the volume attached already.
 */
export const attachVolume = defineAction({
  code: 'attachVolume',
  label: 'Attach a volume',
  entity: ScalewayServer,
  kind: 'instance',
  applicable: managedOnly((server) => !!server.providerSideId || 'it is not created at Scaleway yet'),
  params: { volumeId: param.string({ required: true, label: 'Volume', description: 'Id of a detached ServerVolume in the same zone' }) },
  async handler(ctx) {
    const server = ctx.record;
    const { provider, api } = await scalewayOf(ctx, server.serviceProviderId);
    const zone = zoneOf(server, provider);
    const volume = await ctx.repo(ServerVolume).findOneBy({ id: ctx.params.volumeId });
    if (!volume?.providerSideId || volume.kind !== 'volume') throw new ActionError('No volume with this id exists at Scaleway', { field: 'volumeId' });
    // Resumed, the earlier attempt may have attached it, and recorded it.
    if (volume.serverId === server.id && !ctx.job.resumed) throw new ActionError(`${volume.name} is attached to ${server.name} already`, { field: 'volumeId' });
    if (volume.serverId && volume.serverId !== server.id) throw new ActionError(`${volume.name} is attached to another server: detach it first`, { field: 'volumeId' });
    if (volume.zone !== zone) throw new ActionError(`${volume.name} is in ${volume.zone}, the server in ${zone}`, { field: 'volumeId' });
    requireManaged(volume, `The volume ${volume.name}`, 'volumeId');
    const body = { volume_id: volume.providerSideId, volume_type: attachedType(volume) };
    if (ctx.job.dryRun) return dryRunResult(`attach ${volume.name}`, [{ method: 'POST', path: instance(zone, `/servers/${server.providerSideId}/attach-volume`), body }]);
    if (!(ctx.job.resumed && (await holds(api, zone, server, volume.providerSideId)))) {
      await ctx.progress(30, `Attaching ${volume.name} to ${server.name}`);
      await api.servers.attachVolume(zone, server.providerSideId!, body);
    }
    await refreshServer(ctx, api, zone, server);
    return { message: `Attached ${volume.name} to ${server.name}` };
  },
});
