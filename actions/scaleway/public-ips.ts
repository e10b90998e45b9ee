import type { ActionContext } from 'mv-infra/core';
import { PublicIp } from '../../entities/public-ip.js';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import type { ScalewayApi } from '../../providers/scaleway/client.js';
import { ipFields } from '../../providers/scaleway/mapping.js';
import type { Ip } from '../../providers/scaleway/wire.js';
import { refreshServer } from './server-task.js';

/** How messages name an IP: its address once Scaleway gave one. */
export const ipName = (ip: Pick<PublicIp, 'address' | 'type'>): string => ip.address ?? `the ${ip.type} address`;

/** Writes Scaleway's answer into the IP record, linked to the server record it is attached to (if we know it). */
export async function saveIp(ctx: ActionContext, ip: PublicIp, answer: Ip): Promise<void> {
  const server = answer.server ? await ctx.repo(ScalewayServer).findOneBy({ serviceProviderId: ip.serviceProviderId, zone: answer.zone, providerSideId: answer.server.id }) : null;
  await ctx.repo(PublicIp).update(ip.id, { ...ipFields(answer), serverId: server?.id ?? null });
}

/** After an IP moved: the server's record shows its addresses as Scaleway now has them. */
export async function refreshServers(ctx: ActionContext, api: ScalewayApi, zone: string, serverIds: (string | null | undefined)[]): Promise<void> {
  for (const id of new Set(serverIds.filter((s): s is string => !!s))) {
    const server = await ctx.repo(ScalewayServer).findOneBy({ id });
    if (server?.providerSideId) await refreshServer(ctx, api, zone, server);
  }
}
