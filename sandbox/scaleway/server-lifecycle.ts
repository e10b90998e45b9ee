/**
 * The server state machine, as production exposes it:
 *
 *   stopped --poweron--> starting ("allocating node", "provisioning node") --> running
 *   running --poweroff--> stopping --> stopped
 *   running --stop_in_place--> stopping ("stopping in place") --> stopped in place
 *   running --reboot--> starting ("rebooting") --> running
 *   running | stopped in place --terminate--> stopping ("terminating") --> deleted
 *
 * `allowed_actions` per state are the recorded ones; none while a backup runs or a local volume is
 * busy (snapshotted, or deleted by a terminate). Transitions last `transitionMs` and are applied
 * lazily by the store's timeline.
 */
import type { ServerAction, ServerLocation, ServerState } from '../../providers/scaleway/wire.js';
import { SERVER_TRANSIENT_STATES } from '../../providers/scaleway/wire.js';
import type { ScalewayContext } from './context.js';
import { invalidRequest, resourceLocked, transientState } from './errors.js';
import { detachServerIps } from './ips.js';
import { releaseVolumes } from './server-volumes.js';
import type { ScalewayState, ServerRecord } from './state.js';
import { instanceDate } from './time.js';

const ALLOWED_ACTIONS: Record<ServerState, ServerAction[]> = {
  stopped: ['poweron', 'backup'],
  starting: ['stop_in_place', 'backup'],
  running: ['poweroff', 'terminate', 'reboot', 'stop_in_place', 'backup'],
  stopping: ['stop_in_place', 'backup'],
  'stopped in place': ['poweron', 'poweroff', 'terminate', 'reboot', 'backup'],
  locked: [],
};

/** What production says when an action does not fit a stable state. */
const REFUSALS: Partial<Record<ServerAction, string>> = {
  poweron: 'server should be stopped',
  enable_routed_ip: 'routed IP is already enabled on this server',
};

export type PowerAction = 'poweron' | 'poweroff' | 'stop_in_place' | 'reboot';

interface Phase {
  /** When the phase starts, as a fraction of the transition. */
  at: number;
  state: ServerState;
  detail: string;
}

const POWER_PHASES: Record<PowerAction, Phase[]> = {
  poweron: [
    { at: 0, state: 'starting', detail: 'allocating node' },
    { at: 0.5, state: 'starting', detail: 'provisioning node' },
    { at: 1, state: 'running', detail: 'booting kernel' },
  ],
  poweroff: [
    { at: 0, state: 'stopping', detail: 'stopping' },
    { at: 1, state: 'stopped', detail: '' },
  ],
  stop_in_place: [
    { at: 0, state: 'stopping', detail: 'stopping in place' },
    { at: 1, state: 'stopped in place', detail: 'stopped in place' },
  ],
  reboot: [
    { at: 0, state: 'starting', detail: 'rebooting' },
    { at: 1, state: 'running', detail: 'booting kernel' },
  ],
};

/** The `state_detail` a server shows when it is put straight into a stable state. */
const STABLE_DETAILS: Record<ServerState, string> = {
  stopped: '',
  running: 'booting kernel',
  'stopped in place': 'stopped in place',
  locked: 'locked',
  starting: 'allocating node',
  stopping: 'stopping',
};

const powerKey = (server: ServerRecord) => `server:${server.id}:power`;

/** True while no action is allowed. */
function isBusy(state: ScalewayState, server: ServerRecord): boolean {
  if (server.backup_in_progress) return true;
  return server.volume_refs.some((ref) => ref.kind === 'local' && state.volumes.get(ref.id)?.state !== 'available');
}

export function allowedActions(state: ScalewayState, server: ServerRecord): ServerAction[] {
  return isBusy(state, server) ? [] : [...ALLOWED_ACTIONS[server.state]];
}

/** Refuses an action the server cannot take now: locked, moving, or in the wrong state. */
export function checkActionAllowed(state: ScalewayState, server: ServerRecord, action: ServerAction): void {
  if (server.state === 'locked') throw resourceLocked('instance_server', server.id);
  if (allowedActions(state, server).includes(action)) return;
  if (isBusy(state, server) || (SERVER_TRANSIENT_STATES as readonly ServerState[]).includes(server.state)) {
    throw transientState('instance_server', server.id, server.state);
  }
  throw invalidRequest(REFUSALS[action] ?? 'server should be running');
}

/** Where a running server is hosted: stable per server. */
function locationOf(server: ServerRecord): ServerLocation {
  const part = (from: number) => String(parseInt(server.id.slice(from, from + 2), 16));
  return { zone_id: server.zone, platform_id: '14', cluster_id: part(0), hypervisor_id: part(2), node_id: part(4) };
}

/** Puts the server in a state; it is placed on a hypervisor when running, released when stopped. */
export function setServerState(server: ServerRecord, state: ServerState, at: number, detail = STABLE_DETAILS[state]): void {
  server.state = state;
  server.state_detail = detail;
  server.modification_date = instanceDate(at);
  if (state === 'running') server.location ??= locationOf(server);
  if (state === 'stopped') server.location = null;
}

export function startPowerTransition(ctx: ScalewayContext, server: ServerRecord, action: PowerAction): void {
  const [first, ...next] = POWER_PHASES[action];
  setServerState(server, first.state, Date.now(), first.detail);
  ctx.state.timeline.schedule(
    powerKey(server),
    next.map((phase) => ({ afterMs: phase.at * ctx.config.transitionMs, run: (at) => setServerState(server, phase.state, at, phase.detail) })),
  );
}

/** Removes a server, freeing its IPs and volumes; local volumes are kept unless `deleteLocal`. */
export function removeServer(ctx: ScalewayContext, server: ServerRecord, options: { deleteLocal: boolean }): void {
  detachServerIps(ctx.state, server);
  releaseVolumes(ctx.state, server, { ...options, blockDetachMs: ctx.config.blockDetachMs });
  ctx.state.timeline.cancel(powerKey(server));
  ctx.state.servers.delete(server.id);
}

/**
 * `terminate`: the server stops with its IPs detached and its local volumes `deleting`, then is
 * deleted with them; its SBS volumes are only detached.
 */
export function terminate(ctx: ScalewayContext, server: ServerRecord): void {
  const { state } = ctx;
  setServerState(server, 'stopping', Date.now(), 'terminating');
  detachServerIps(state, server);
  for (const ref of server.volume_refs) {
    const volume = ref.kind === 'local' ? state.volumes.get(ref.id) : undefined;
    if (volume) volume.state = 'deleting';
  }
  state.timeline.schedule(powerKey(server), [{ afterMs: ctx.config.transitionMs, run: () => removeServer(ctx, server, { deleteLocal: true }) }]);
}
