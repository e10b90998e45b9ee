import { ActionError, defineAction } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerVolume } from '../../entities/server-volume.js';
import { dryRunResult } from './dry-run.js';
import { managedOnly } from './ownership.js';
import { scalewayOf, zoneOf } from './provider.js';
import { deleteAtScaleway, deleteCall, locateVolume } from './volume-apis.js';

/**
 * Deletes a detached volume, or a snapshot no image uses, through the API it lives in (Block Storage for
 * SBS volumes and snapshots, Instance for local ones). Never while attached: the record says so, and
 * Scaleway is asked before anything is deleted, in case it was attached behind our back.
 */
export const deleteVolume = defineAction({
  code: 'deleteVolume',
  label: 'Delete',
  entity: ServerVolume,
  kind: 'instance',
  description: 'Deletes the volume (or snapshot) at Scaleway. Its data is lost.',
  applicable: managedOnly((volume) => {
    if (!volume.providerSideId) return 'it is not created at Scaleway';
    if (volume.serverId) return 'it is attached to a server: detach it first';
    if (volume.imageId) return 'it is a snapshot of an image: delete the image (with its snapshots) instead';
    return true;
  }),
  confirm: (volume) => `Delete the ${volume.kind} ${volume.name} at Scaleway? Its data is lost for good.`,
  async handler(ctx) {
    const volume = ctx.record;
    const { provider, api } = await scalewayOf(ctx, volume.serviceProviderId);
    const zone = zoneOf(volume, provider);
    // A volume is deleted where Scaleway has it, once Scaleway confirms it is attached to nothing.
    const current = volume.kind === 'volume' ? await locateVolume(api, zone, volume) : undefined;
    if (current?.attachedTo) {
      const server = await ctx.repo(ScalewayServer).findOneBy({ serviceProviderId: volume.serviceProviderId, zone, providerSideId: current.attachedTo });
      throw new ActionError(`${volume.name} is attached to ${server?.name ?? `server ${current.attachedTo}`} at Scaleway: detach it first`, { field: 'serverId' });
    }
    const target = { ...volume, volumeType: current?.fields.volumeType ?? volume.volumeType };
    if (ctx.job.dryRun) return dryRunResult(`delete ${volume.name}`, [deleteCall(zone, target)]);
    await ctx.progress(30, `Deleting ${volume.name}`);
    await deleteAtScaleway(api, zone, target);
    await ctx.repo(ServerVolume).delete({ id: volume.id });
    return { message: `Deleted the ${volume.kind} ${volume.name} (${volume.providerSideId}) in ${zone}`, value: { id: volume.providerSideId } };
  },
});
