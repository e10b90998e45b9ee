import { defineAction, param } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerVolume } from '../../entities/server-volume.js';
import { instance } from '../../providers/scaleway/paths.js';
import { SERVER_WAIT_MS } from '../../providers/scaleway/timeouts.js';
import { waitForServerGone } from '../../providers/scaleway/waiters.js';
import { dryRunResult } from './dry-run.js';
import { managedOnly } from './ownership.js';
import { scalewayOf, zoneOf } from './provider.js';
import { removeServerRecord } from './server-removal.js';
import { runServerTask } from './server-task.js';
import { isBlock } from './volume-apis.js';
import { waitProgress } from './wait-progress.js';

/**
 * Terminates a running server: Scaleway stops it and deletes it with its local volumes; Block volumes are
 * only detached (kept, still billed).
 */
export const terminate = defineAction({
  code: 'terminate',
  label: 'Terminate',
  entity: ScalewayServer,
  kind: 'instance',
  description: 'Stops and deletes the server with its local volumes; Block Storage volumes are detached and kept.',
  applicable: managedOnly((server) => {
    if (!server.providerSideId) return 'it is not created at Scaleway';
    if (server.isProtected) return 'it is protected: unprotect it first';
    return server.allowedActions?.includes('terminate') || `Scaleway does not allow terminate while it is ${server.state} (delete it instead)`;
  }),
  confirm: (server) => `Terminate ${server.name}? The server and its local volumes are deleted for good.`,
  params: { timeoutMinutes: param.integer({ default: SERVER_WAIT_MS / 60_000, min: 1, max: 120, label: 'Wait at most (minutes)' }) },
  async handler(ctx) {
    const server = ctx.record;
    const { provider, api } = await scalewayOf(ctx, server.serviceProviderId);
    const zone = zoneOf(server, provider);
    const request = { action: 'terminate' as const };
    if (ctx.job.dryRun) return dryRunResult(`terminate ${server.name}`, [{ method: 'POST', path: instance(zone, `/servers/${server.providerSideId}/action`), body: request }]);
    const volumes = await ctx.repo(ServerVolume).findBy({ serverId: server.id });
    // Not recorded after the call: it is on its way out (and may be gone already).
    await runServerTask(ctx, { api, zone, server, request, timeoutMs: 0, from: 5, to: 30, record: false });
    const timeoutMs = ctx.params.timeoutMinutes * 60_000;
    await waitForServerGone(api, zone, server.providerSideId!, { timeoutMs, signal: ctx.signal, onPoll: waitProgress(ctx, { from: 30, to: 95, timeoutMs }, (state) => `${server.name} is ${state}`) });
    const local = volumes.filter((v) => !isBlock(v));
    await removeServerRecord(ctx, server, local);
    const kept = volumes.filter(isBlock);
    return {
      message: `Terminated ${server.name}${local.length ? `, deleted ${local.length} local volumes` : ''}${kept.length ? `, kept ${kept.map((v) => v.name).join(', ')} (detached)` : ''}`,
      value: { keptVolumes: kept.map((v) => v.providerSideId) },
    };
  },
});
