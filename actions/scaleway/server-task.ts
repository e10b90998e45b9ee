import type { ActionContext } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerAction } from '../../entities/server-action.js';
import type { ScalewayApi } from '../../providers/scaleway/client.js';
import { waitForServer } from '../../providers/scaleway/waiters.js';
import type { ServerActionRequest, ServerState, Task } from '../../providers/scaleway/wire.js';
import { recordServers } from './record-servers.js';

export interface ServerStep {
  api: ScalewayApi;
  zone: string;
  server: ScalewayServer;
  /** The state to reach; the wait fails fast on any other settled state. */
  expect?: ServerState;
  timeoutMs: number;
  /** Progress range this step reports in. */
  from: number;
  to: number;
}

/**
 * Sends one server action, keeps it in the server's action history, waits for the state it leads to,
 * and records the server as it then is.
 */
export async function runServerTask(ctx: ActionContext, step: ServerStep & { request: ServerActionRequest }): Promise<Task> {
  const { api, zone, server, request } = step;
  const history = ctx.repo(ServerAction);
  const started = Date.now();
  await ctx.progress(step.from, `Asking Scaleway to ${request.action} ${server.name}`);
  const task = await api.servers.action(zone, server.providerSideId!, request);
  const entry = await history.save(
    history.create({ serverId: server.id, serverName: server.name, action: request.action, status: task.status, taskId: task.id, jobId: ctx.job.id, startedAt: new Date() }),
  );
  try {
    await awaitServer(ctx, step);
    await history.update(entry.id, { status: 'success', terminatedAt: new Date(), elapsedTimeMs: Date.now() - started });
  } catch (error) {
    await history.update(entry.id, { status: 'failure', terminatedAt: new Date(), elapsedTimeMs: Date.now() - started, detail: (error as Error).message });
    throw error;
  }
  await ctx.progress(step.to, `${server.name}: ${request.action} done`);
  return task;
}

/** Waits for the expected state (if any), then records the server as it is, whatever happened. */
export async function awaitServer(ctx: ActionContext, step: ServerStep): Promise<void> {
  const { api, zone, server } = step;
  try {
    if (step.expect) {
      await waitForServer(api, zone, server.providerSideId!, step.expect, {
        timeoutMs: step.timeoutMs,
        signal: ctx.signal,
        onPoll: (elapsed, state) => ctx.progress(step.from + (step.to - step.from) * Math.min(0.95, elapsed / step.timeoutMs), `${server.name} is ${state}`),
      });
    }
  } finally {
    await refreshServer(ctx, api, zone, server);
  }
}

/**
 * Reads the server again and records it with its volumes and IPs. By default only what the provider alone
 * knows (state, IPs, ...) is taken, so that edits the user has not saved to Scaleway yet survive.
 */
export async function refreshServer(ctx: ActionContext, api: ScalewayApi, zone: string, server: ScalewayServer, fields: 'all' | 'observed' = 'observed'): Promise<void> {
  const current = await api.servers.get(zone, server.providerSideId!);
  await ctx.data.transaction((manager) => recordServers(manager, server.serviceProviderId, api, [current], { ownershipOfNew: 'managed', fields }));
}
