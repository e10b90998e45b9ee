/**
 * The Scaleway emulator: Instance v1 (`/instance/v1/zones/{zone}`), Block Storage v1
 * (`/block/v1/zones/{zone}`) and Marketplace v2 (`/marketplace/v2`), served on loopback with the
 * sandbox control endpoints (`/__sandbox/...`, see `sandbox/README.md`).
 *
 * @example
 * const scw = await startScalewayEmulator({ transitionMs: 20 });
 * // point a client at scw.url, with any X-Auth-Token
 * await scw.close();
 */
import { startEmulator, type RunningEmulator } from '../emulator.js';
import type { FaultInjector, RateLimitShape } from '../faults.js';
import { createScalewayApp } from './app.js';
import { DEFAULT_ORGANIZATION_ID, DEFAULT_PROJECT_ID } from './catalogue.js';
import type { ScalewayConfig, ScalewayQuotas } from './context.js';
import { RequestJournal } from './journal.js';
import { seedPublicImages } from './marketplace.js';
import { seedServers, type SeedRequest, type SeedResult } from './seed.js';
import { ScalewayState } from './state.js';

export interface ScalewayEmulatorOptions {
  /** Default: a free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Duration of every transition (boot, stop, backup, volume creation...), ms. Default 1500; tests use 20-50. */
  transitionMs?: number;
  /** The one accepted `X-Auth-Token`. Default: any non-empty token. */
  token?: string;
  /** A steady rate limit, as production's gateway applies (support quoted about 100 req/s). Default: none. */
  rateLimit?: { perSecond: number; burst?: number; shape?: RateLimitShape };
  /** The sandbox account. Defaults: fixed ids, the default project sharing the organization's id. */
  projectId?: string;
  organizationId?: string;
  /** Resources allowed per project and kind. Default: unlimited. */
  quotas?: ScalewayQuotas;
}

export interface ScalewayEmulator extends RunningEmulator {
  /** The store, for assertions (transitions due are applied on the next API request). */
  state: ScalewayState;
  config: ScalewayConfig;
  /** The fault plan, as `/__sandbox/faults` sets it. */
  faults: FaultInjector;
  /** The API requests answered so far (method and path), for assertions. */
  journal: RequestJournal;
  /** Creates servers straight in the store, as `POST /__sandbox/seed`. */
  seed(request: SeedRequest): SeedResult;
  /** Restores the seeded state and the initial faults, as `POST /__sandbox/reset`. */
  reset(): void;
}

export const DEFAULT_TRANSITION_MS = 1500;

export async function startScalewayEmulator(options: ScalewayEmulatorOptions = {}): Promise<ScalewayEmulator> {
  const config: ScalewayConfig = {
    transitionMs: options.transitionMs ?? DEFAULT_TRANSITION_MS,
    projectId: options.projectId ?? options.organizationId ?? DEFAULT_PROJECT_ID,
    organizationId: options.organizationId ?? DEFAULT_ORGANIZATION_ID,
    quotas: options.quotas ?? {},
  };
  const ctx = { state: new ScalewayState(seedPublicImages), config };
  const journal = new RequestJournal();
  const { app, faults } = createScalewayApp(ctx, { token: options.token, faults: options.rateLimit && { tokenBucket: options.rateLimit }, journal });
  const running = await startEmulator({ name: 'scaleway', app, port: options.port, host: options.host });
  return {
    ...running,
    state: ctx.state,
    config,
    faults,
    journal,
    seed: (request) => seedServers(ctx, request),
    reset: () => {
      ctx.state.reset();
      faults.restoreInitial();
    },
  };
}

export type { SeedRequest, SeedResult } from './seed.js';
export type { ScalewayConfig, ScalewayQuotas } from './context.js';
export { ScalewayState } from './state.js';
export type { JournalEntry, RequestJournal } from './journal.js';
