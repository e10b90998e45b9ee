import { ActionError, defineAction, param } from 'mv-infra/core';
import { ServerImage } from '../../entities/server-image.js';
import { ServerVolume, type ScalewayVolumeType } from '../../entities/server-volume.js';
import { instance } from '../../providers/scaleway/paths.js';
import type { VolumeSummary } from '../../providers/scaleway/wire.js';
import { dryRunResult } from './dry-run.js';
import { managedOnly } from './ownership.js';
import { ignoreGone, unlessGone } from '../../providers/scaleway/outcomes.js';
import { scalewayOf, zoneOf } from './provider.js';
import { deleteAtScaleway, deleteCall } from './volume-apis.js';

const ours = managedOnly((image: ServerImage) => !!image.providerSideId || 'it is not at Scaleway');

/**
 * Deletes one of the project's images, and its snapshots if asked (through the Block or Instance API,
 * after the image, which holds them until then). Never a public image: refused before any call, on the
 * record and again on what Scaleway says. Kept snapshots stay as standalone snapshot records.
 */
export const deleteImage = defineAction({
  code: 'deleteImage',
  label: 'Delete',
  entity: ServerImage,
  kind: 'instance',
  description: 'Deletes a private image at Scaleway, and its snapshots too if asked. Public images are never deleted.',
  // A public image is Scaleway's whoever looks at it: that reason comes before any other.
  applicable: (image) => (image.isPublic ? 'it is a public image of the Scaleway catalogue, not ours to delete' : ours(image)),
  confirm: (image) => `Delete the image ${image.name}? Servers can no longer be created from it.`,
  params: { withSnapshots: param.boolean({ default: false, label: 'Delete its snapshots too', description: 'Otherwise they are kept, and billed, as standalone snapshots' }) },
  async handler(ctx) {
    const image = ctx.record;
    const { provider, api } = await scalewayOf(ctx, image.serviceProviderId);
    const zone = zoneOf(image, provider);
    const current = await unlessGone(api.images.get(zone, image.providerSideId!));
    if (current?.public) throw new ActionError(`${image.name} is public at Scaleway: public images are never deleted`, { field: 'isPublic' });
    const records = await ctx.repo(ServerVolume).findBy({ imageId: image.id });
    // Scaleway's list of the image's snapshots is the truth; our records stand in once the image is gone.
    const summaries: VolumeSummary[] = current ? [...(current.root_volume ? [current.root_volume] : []), ...Object.values(current.extra_volumes)] : [];
    const snapshots = current
      ? summaries.map((s) => ({ kind: 'snapshot' as const, volumeType: s.volume_type as ScalewayVolumeType, providerSideId: s.id }))
      : records.map((r) => ({ kind: 'snapshot' as const, volumeType: r.volumeType, providerSideId: r.providerSideId }));
    const deleted = ctx.params.withSnapshots ? snapshots : [];
    if (ctx.job.dryRun) {
      return dryRunResult(`delete ${image.name}${deleted.length ? ` and ${deleted.length} snapshots` : ''}`, [
        { method: 'DELETE', path: instance(zone, `/images/${image.providerSideId}`) },
        ...deleted.map((snapshot) => deleteCall(zone, snapshot)),
      ]);
    }
    await ctx.progress(20, `Deleting image ${image.name}`);
    await ignoreGone(api.images.delete(zone, image.providerSideId!));
    for (const [index, snapshot] of deleted.entries()) {
      await ctx.progress(40 + (50 * index) / deleted.length, `Deleting snapshot ${snapshot.providerSideId}`);
      await deleteAtScaleway(api, zone, snapshot);
    }
    await ctx.data.transaction(async (manager) => {
      if (records.length) {
        const ids = records.map((r) => r.id);
        if (ctx.params.withSnapshots) await manager.delete(ServerVolume, ids);
        else await manager.update(ServerVolume, ids, { imageId: null, isBoot: false });
      }
      await manager.delete(ServerImage, { id: image.id });
    });
    const kept = snapshots.length - deleted.length;
    return {
      message: `Deleted the image ${image.name}${deleted.length ? ` and its ${deleted.length} snapshots` : ''}${kept ? `; kept ${kept} snapshots (still billed)` : ''}`,
      value: { deletedSnapshots: deleted.map((s) => s.providerSideId), keptSnapshots: kept ? snapshots.map((s) => s.providerSideId) : [] },
    };
  },
});
