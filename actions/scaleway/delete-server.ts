import { defineAction } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerVolume } from '../../entities/server-volume.js';
import { instance } from '../../providers/scaleway/paths.js';
import { dryRunResult } from './dry-run.js';
import { ignoreGone } from '../../providers/scaleway/outcomes.js';
import { deletable, removeServerRecord } from './server-removal.js';
import { scalewayOf, zoneOf } from './provider.js';

/**
 * Deletes a stopped server and keeps its volumes (they become detached, and are still billed). The
 * action history stays; the record goes.
 */
export const deleteServer = defineAction({
  code: 'deleteServer',
  label: 'Delete (keep volumes)',
  entity: ScalewayServer,
  kind: 'instance',
  description: 'Deletes the stopped server at Scaleway; its volumes are kept, detached (and still billed).',
  applicable: deletable,
  confirm: (server) => `Delete ${server.name} at Scaleway? Its volumes are kept and still billed.`,
  async handler(ctx) {
    const server = ctx.record;
    const { provider, api } = await scalewayOf(ctx, server.serviceProviderId);
    const zone = zoneOf(server, provider);
    if (ctx.job.dryRun) return dryRunResult(`delete ${server.name}`, [{ method: 'DELETE', path: instance(zone, `/servers/${server.providerSideId}`) }]);
    const volumes = await ctx.repo(ServerVolume).findBy({ serverId: server.id });
    await ctx.progress(20, `Deleting ${server.name}`);
    await ignoreGone(api.servers.delete(zone, server.providerSideId!));
    await removeServerRecord(ctx, server);
    const kept = volumes.length ? `; kept ${volumes.map((v) => v.name).join(', ')} (detached, still billed)` : '';
    return { message: `Deleted ${server.name}${kept}`, value: { keptVolumes: volumes.map((v) => v.providerSideId) } };
  },
});
