/**
 * What every route of the Scaleway emulator works with: the store and the emulator's settings,
 * plus the ownership and quota rules that creations share.
 */
import { quotaExceeded } from './errors.js';
import type { ScalewayState } from './state.js';

export type QuotaResource = 'servers' | 'ips' | 'volumes' | 'snapshots' | 'images' | 'security_groups';

/** Maximum number of resources of a kind per project; unlimited when absent. */
export type ScalewayQuotas = Partial<Record<QuotaResource, number>>;

export interface ScalewayConfig {
  /** Duration of every transition (boot, stop, backup, creation...), ms. */
  transitionMs: number;
  projectId: string;
  organizationId: string;
  quotas: ScalewayQuotas;
  /**
   * How long the Block volumes of a deleted server stay held by it (`in_use`, and refused to a delete with
   * 412) before Scaleway lets go of them, ms. Production takes a moment; 0 (the default) lets go at once.
   */
  blockDetachMs?: number;
}

export interface ScalewayContext {
  state: ScalewayState;
  config: ScalewayConfig;
}

export interface Owner {
  project: string;
  organization: string;
}

/**
 * The owner of a new resource. Any project id is accepted, inside the sandbox organization; a
 * request naming only the (deprecated) organization lands in its default project, whose id is
 * the organization's.
 */
export function ownerOf(ctx: ScalewayContext, request: { project?: string; organization?: string }): Owner {
  return {
    project: request.project ?? request.organization ?? ctx.config.projectId,
    organization: request.organization ?? ctx.config.organizationId,
  };
}

/** Refuses a creation that would exceed the project's quota for the kind. */
export function checkQuota(ctx: ScalewayContext, resource: QuotaResource, project: string): void {
  const quota = ctx.config.quotas[resource];
  if (quota === undefined) return;
  const records: Map<string, { project: string }> = {
    servers: ctx.state.servers,
    ips: ctx.state.ips,
    volumes: ctx.state.volumes,
    snapshots: ctx.state.snapshots,
    images: ctx.state.images,
    security_groups: ctx.state.securityGroups,
  }[resource];
  let current = 0;
  for (const record of records.values()) if (record.project === project) current++;
  if (current >= quota) throw quotaExceeded(resource);
}
