import type { ActionContext } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerAction } from '../../entities/server-action.js';
import type { ScalewayApi } from '../../providers/scaleway/client.js';
import { unlessGone } from '../../providers/scaleway/outcomes.js';
import { waitForServer } from '../../providers/scaleway/waiters.js';
import type { Server, ServerActionRequest, ServerState, Task } from '../../providers/scaleway/wire.js';
import { recordServers } from './record-servers.js';
import { waitProgress } from './wait-progress.js';

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
  /** Records the server as it then is (the default); not for a server on its way out. */
  record?: boolean;
}

/**
 * Sends one server action, keeps it in the server's action history, waits for the state it leads to,
 * and records the server as it then is. A resumed job first looks at the server: when the action its
 * earlier attempt sent is under way or done (the server is in the expected state or moving towards it,
 * or gone for a terminate), it only waits, and settles that attempt's history entry.
 */
export async function runServerTask(ctx: ActionContext, step: ServerStep & { request: ServerActionRequest }): Promise<Task | undefined> {
  const { api, zone, server, request } = step;
  const history = ctx.repo(ServerAction);
  const started = Date.now();
  let entry = ctx.job.resumed ? await history.findOne({ where: { jobId: ctx.job.id, serverId: server.id, action: request.action }, order: { startedAt: 'DESC' } }) : null;
  if (ctx.job.resumed && entry?.status !== 'failure') {
    const current = await unlessGone(api.servers.get(zone, server.providerSideId!));
    if (underway(request.action, step.expect, current, !!entry)) {
      await ctx.progress(step.from, `${server.name}: ${request.action} was sent before the job's worker stopped; waiting for it`);
      entry ??= await history.save(history.create({ serverId: server.id, serverName: server.name, action: request.action, status: 'started', jobId: ctx.job.id, startedAt: new Date() }));
      await settle(ctx, step, entry.id, started);
      return undefined;
    }
    if (entry && entry.status !== 'success') await history.update(entry.id, { status: 'failure', terminatedAt: new Date(), detail: `Its job's worker stopped; sent again by attempt ${ctx.job.attempt}` });
  }
  await ctx.progress(step.from, `Asking Scaleway to ${request.action} ${server.name}`);
  const task = await api.servers.action(zone, server.providerSideId!, request);
  entry = await history.save(
    history.create({ serverId: server.id, serverName: server.name, action: request.action, status: task.status, taskId: task.id, jobId: ctx.job.id, startedAt: new Date() }),
  );
  await settle(ctx, step, entry.id, started);
  return task;
}

/** Waits for the step's end and writes how it went into the history entry. */
async function settle(ctx: ActionContext, step: ServerStep & { request: ServerActionRequest }, entryId: string, started: number): Promise<void> {
  const history = ctx.repo(ServerAction);
  try {
    await awaitServer(ctx, step);
    await history.update(entryId, { status: 'success', terminatedAt: new Date(), elapsedTimeMs: Date.now() - started });
  } catch (error) {
    await history.update(entryId, { status: 'failure', terminatedAt: new Date(), elapsedTimeMs: Date.now() - started, detail: (error as Error).message });
    throw error;
  }
  await ctx.progress(step.to, `${step.server.name}: ${step.request.action} done`);
}

/**
 * Whether the action an earlier attempt may have sent is under way or done: the server is in the expected
 * state (a reboot only if the history says it was sent: a running server is where a reboot starts too), or
 * moving towards it; a terminated server is stopping, or gone.
 */
function underway(action: ServerActionRequest['action'], expect: ServerState | undefined, current: Server | undefined, sent: boolean): boolean {
  if (action === 'terminate') return !current || current.state === 'stopping';
  if (!current || !expect) return false;
  if (current.state === expect) return action !== 'reboot' || sent;
  if (current.state === 'starting') return expect === 'running';
  if (current.state === 'stopping') return expect === 'stopped' || expect === 'stopped in place';
  return false;
}

/** Waits for the expected state (if any), then records the server as it is, whatever happened. */
export async function awaitServer(ctx: ActionContext, step: ServerStep): Promise<void> {
  const { api, zone, server } = step;
  try {
    if (step.expect) {
      await waitForServer(api, zone, server.providerSideId!, step.expect, {
        timeoutMs: step.timeoutMs,
        signal: ctx.signal,
        onPoll: waitProgress(ctx, step, (state) => `${server.name} is ${state}`),
      });
    }
  } finally {
    if (step.record !== false) await refreshServer(ctx, api, zone, server);
  }
}

/**
 * Reads the server again and records it with its volumes and IPs. By default only what the provider alone
 * knows (state, IPs, ...) is taken, so that edits the user has not saved to Scaleway yet survive.
 */
export async function refreshServer(ctx: ActionContext, api: ScalewayApi, zone: string, server: ScalewayServer, fields: 'all' | 'observed' = 'observed'): Promise<void> {
  const current = await api.servers.get(zone, server.providerSideId!);
  await recordServers(ctx, server.serviceProviderId, api, [current], { ownershipOfNew: 'managed', fields });
}

/** Whether Scaleway shows this volume (its provider id) attached to the server now. */
export async function holds(api: ScalewayApi, zone: string, server: ScalewayServer, volumeId: string): Promise<boolean> {
  const current = await api.servers.get(zone, server.providerSideId!);
  return Object.values(current.volumes).some((volume) => volume.id === volumeId);
}
