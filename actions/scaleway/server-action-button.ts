import { defineAction, param } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { instance } from '../../providers/scaleway/paths.js';
import { SERVER_WAIT_MS } from '../../providers/scaleway/timeouts.js';
import type { ServerAction, ServerState } from '../../providers/scaleway/wire.js';
import { dryRunResult } from './dry-run.js';
import { managedOnly } from './ownership.js';
import { scalewayOf, zoneOf } from './provider.js';
import { runServerTask } from './server-task.js';

/**
 * A button that sends one Scaleway server action — each button names its action explicitly (the original
 * module sent none) — shown when Scaleway lists the action as allowed, then waits for the state it leads to.
 */
export function serverActionButton(options: { code: string; label: string; action: ServerAction; expect: ServerState; description: string; confirm?: string }) {
  return defineAction({
    code: options.code,
    label: options.label,
    entity: ScalewayServer,
    kind: 'bulk',
    description: options.description,
    confirm: options.confirm ? (server) => `${options.confirm} ${server.name}?` : undefined,
    applicable: managedOnly((server) => {
      if (!server.providerSideId) return 'it is not created at Scaleway yet';
      return server.allowedActions?.includes(options.action) || `Scaleway does not allow ${options.action} while it is ${server.state}`;
    }),
    params: { timeoutMinutes: param.integer({ default: SERVER_WAIT_MS / 60_000, min: 1, max: 120, label: 'Wait at most (minutes)' }) },
    async handler(ctx) {
      const server = ctx.record;
      const { provider, api } = await scalewayOf(ctx, server.serviceProviderId);
      const zone = zoneOf(server, provider);
      const request = { action: options.action };
      if (ctx.job.dryRun) {
        return dryRunResult(`${options.action} ${server.name}`, [{ method: 'POST', path: instance(zone, `/servers/${server.providerSideId}/action`), body: request }]);
      }
      await runServerTask(ctx, { api, zone, server, request, expect: options.expect, timeoutMs: ctx.params.timeoutMinutes * 60_000, from: 5, to: 100 });
      const after = await ctx.repo(ScalewayServer).findOneByOrFail({ id: server.id });
      return { message: `${server.name} is ${after.state}`, value: { state: after.state } };
    },
  });
}
