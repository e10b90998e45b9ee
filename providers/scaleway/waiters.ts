import { waitFor } from 'mv-infra/core';
import type { ScalewayApi } from './client.js';
import { unlessGone } from './outcomes.js';
import {
  BLOCK_VOLUME_TRANSIENT_STATUSES,
  IMAGE_TRANSIENT_STATES,
  SERVER_TRANSIENT_STATES,
  VOLUME_TRANSIENT_STATES,
  type BlockVolume,
  type Image,
  type Server,
  type ServerState,
  type Volume,
} from './wire.js';

export interface WaitSettings {
  timeoutMs: number;
  signal?: AbortSignal;
  onPoll?: (elapsedMs: number, state: string) => void | Promise<void>;
}

/** A server that has not begun to move after this long is not going to. */
const NO_MOVE_GRACE_MS = 30_000;

/**
 * Polls a server until it reaches `target`. Fails fast when it settles elsewhere once it moved (a boot
 * that falls back to `stopped`), when it is locked, or when it never starts moving.
 */
export function waitForServer(api: ScalewayApi, zone: string, serverId: string, target: ServerState, settings: WaitSettings): Promise<Server> {
  let moved = false;
  return waitFor(() => api.servers.get(zone, serverId), {
    what: `server ${serverId} to be ${target}`,
    timeoutMs: settings.timeoutMs,
    signal: settings.signal,
    done: (server) => server.state === target,
    failed: (server, elapsed) => {
      const transient = (SERVER_TRANSIENT_STATES as readonly string[]).includes(server.state);
      moved ||= transient;
      if (transient) return undefined;
      if (server.state === 'locked') return 'Scaleway locked the server (it needs their support)';
      if (moved) return `it became ${server.state}${server.state_detail ? ` (${server.state_detail})` : ''}`;
      if (elapsed > NO_MOVE_GRACE_MS) return `it stayed ${server.state} for ${Math.round(elapsed / 1000)} s`;
      return undefined;
    },
    onPoll: (server, elapsed) => settings.onPoll?.(elapsed, server.state),
  });
}

/** Polls an image (a backup) until it is available; an image in error stops the wait. */
export function waitForImage(api: ScalewayApi, zone: string, imageId: string, settings: WaitSettings): Promise<Image> {
  return waitFor(() => api.images.get(zone, imageId), {
    what: `image ${imageId} to be available`,
    timeoutMs: settings.timeoutMs,
    signal: settings.signal,
    done: (image) => image.state === 'available',
    failed: (image) => ((IMAGE_TRANSIENT_STATES as readonly string[]).includes(image.state) || image.state === 'available' ? undefined : `it is ${image.state}`),
    onPoll: (image, elapsed) => settings.onPoll?.(elapsed, image.state),
  });
}

/**
 * Polls a volume until it is usable: a Block volume `available` (or `in_use` by a server), a local one
 * `available`. A volume in error, or locked, stops the wait.
 */
export function waitForVolume(api: ScalewayApi, zone: string, volume: { id: string; block: boolean }, settings: WaitSettings): Promise<BlockVolume | Volume> {
  const transient: readonly string[] = volume.block ? BLOCK_VOLUME_TRANSIENT_STATUSES : VOLUME_TRANSIENT_STATES;
  const stateOf = (current: BlockVolume | Volume) => ('status' in current ? current.status : current.state);
  return waitFor<BlockVolume | Volume>(() => (volume.block ? api.block.getVolume(zone, volume.id) : api.volumes.get(zone, volume.id)), {
    what: `volume ${volume.id} to be available`,
    timeoutMs: settings.timeoutMs,
    signal: settings.signal,
    done: (current) => stateOf(current) === 'available' || stateOf(current) === 'in_use',
    failed: (current) => (transient.includes(stateOf(current)) ? undefined : `it is ${stateOf(current)}`),
    onPoll: (current, elapsed) => settings.onPoll?.(elapsed, stateOf(current)),
  });
}

/** Polls until the server is gone (404). */
export async function waitForServerGone(api: ScalewayApi, zone: string, serverId: string, settings: WaitSettings): Promise<void> {
  await waitFor(
    async () => (await unlessGone(api.servers.get(zone, serverId)))?.state ?? 'gone',
    { what: `server ${serverId} to be deleted`, timeoutMs: settings.timeoutMs, signal: settings.signal, done: (state) => state === 'gone', onPoll: (state, elapsed) => settings.onPoll?.(elapsed, state) },
  );
}

/**
 * Polls a Block volume until no server holds it any more (`available`): after its server is deleted,
 * Scaleway takes a moment to let go of it, and refuses to delete it until then (412).
 */
export async function waitForBlockVolumeDetached(api: ScalewayApi, zone: string, volumeId: string, settings: WaitSettings): Promise<BlockVolume | undefined> {
  return waitFor(() => unlessGone(api.block.getVolume(zone, volumeId)), {
    what: `volume ${volumeId} to be detached`,
    timeoutMs: settings.timeoutMs,
    signal: settings.signal,
    done: (volume) => !volume || (volume.status === 'available' && !volume.references.some((r) => r.product_resource_type === 'instance_server')),
    failed: (volume) => (volume && (volume.status === 'error' || volume.status === 'locked') ? `it is ${volume.status}` : undefined),
    onPoll: (volume, elapsed) => settings.onPoll?.(elapsed, volume?.status ?? 'gone'),
  });
}
