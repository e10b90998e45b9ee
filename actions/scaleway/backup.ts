import { ActionError, defineAction, param } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import type { ScalewayApi } from '../../providers/scaleway/client.js';
import { instance } from '../../providers/scaleway/paths.js';
import { IMAGE_WAIT_MS } from '../../providers/scaleway/timeouts.js';
import { waitForImage } from '../../providers/scaleway/waiters.js';
import type { Image } from '../../providers/scaleway/wire.js';
import { keyOf } from '../shared/upsert-resources.js';
import { dryRunResult } from './dry-run.js';
import { findOrCreate } from './find-or-create.js';
import { managedOnly } from './ownership.js';
import { scalewayOf, zoneOf } from './provider.js';
import { recordImages } from './record-images.js';
import { refreshServer, runServerTask } from './server-task.js';
import { waitProgress } from './wait-progress.js';

const stamp = () => new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');

/**
 * Backs up a server: an image of all its volumes (one snapshot each). Steps: send `backup` with the name →
 * keep the image record at once → wait until it is available → record its snapshots and the server. An
 * image of this server with this name is adopted instead of taking a second backup: resumed after a
 * crash, or when the answer to the backup was lost.
 */
export const backup = defineAction({
  code: 'backup',
  label: 'Back up',
  entity: ScalewayServer,
  kind: 'bulk',
  description: 'Creates an image of the server with a snapshot of each of its volumes, and waits until it is available.',
  applicable: managedOnly((server) => {
    if (!server.providerSideId) return 'it is not created at Scaleway yet';
    return server.allowedActions?.includes('backup') || `Scaleway does not allow a backup while it is ${server.state}`;
  }),
  confirm: (server) => `Back up ${server.name}? The snapshots are billed until you delete the image.`,
  params: {
    name: param.string({ maxLength: 255, label: 'Image name', default: (server: ScalewayServer) => `${server.name}-backup-${stamp()}` }),
    timeoutMinutes: param.integer({ default: IMAGE_WAIT_MS / 60_000, min: 1, max: 240, label: 'Wait at most (minutes)' }),
  },
  async handler(ctx) {
    const server = ctx.record;
    const { provider, api } = await scalewayOf(ctx, server.serviceProviderId);
    const zone = zoneOf(server, provider);
    const request = { action: 'backup' as const, name: ctx.params.name };
    if (ctx.job.dryRun) return dryRunResult(`back up ${server.name}`, [{ method: 'POST', path: instance(zone, `/servers/${server.providerSideId}/action`), body: request }]);

    const { id: imageId } = await findOrCreate(ctx, {
      kind: 'image',
      name: `the backup ${request.name}`,
      find: () => previousBackup(api, zone, server, request.name),
      create: async () => {
        // The server is recorded once, when the backup is done: while it runs, Scaleway allows no action on it.
        const task = await runServerTask(ctx, { api, zone, server, request, timeoutMs: 0, from: 5, to: 20, record: false });
        const id = task && /\/images\/([^/?]+)/.exec(task.href_result)?.[1];
        if (!id) throw new ActionError(`Scaleway accepted the backup but did not say which image it makes (href_result "${task?.href_result}")`, undefined, 'provider_error');
        return { id };
      },
      progress: { creating: 5, found: 20 },
    });
    const record = (image: Image) => ctx.data.transaction((manager) => recordImages(manager, server.serviceProviderId, zone, [image], 'managed'));
    await record(await api.images.get(zone, imageId));

    await ctx.progress(25, `Waiting for image ${request.name} to be available`);
    const timeoutMs = ctx.params.timeoutMinutes * 60_000;
    const image = await waitForImage(api, zone, imageId, { timeoutMs, signal: ctx.signal, onPoll: waitProgress(ctx, { from: 25, to: 95, timeoutMs }, (state) => `Image ${request.name} is ${state}`) });
    const recordId = (await record(image)).get(keyOf(zone, image.id))!;
    // While the backup ran, Scaleway allowed no action on the server: read what it allows now.
    await refreshServer(ctx, api, zone, server);
    return { message: `Backed up ${server.name} as image ${image.name} (${image.id})`, value: { imageId: image.id, recordId } };
  },
});

/** A backup with this name of this server, if an earlier run of this job already asked for it. */
async function previousBackup(api: ScalewayApi, zone: string, server: ScalewayServer, name: string): Promise<Image | undefined> {
  const images = await api.images.list(zone, { name });
  return images.find((image) => image.name === name && image.from_server === server.providerSideId);
}
