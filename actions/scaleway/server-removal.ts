import type { ActionContext } from 'mv-infra/core';
import { PublicIp } from '../../entities/public-ip.js';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerVolume } from '../../entities/server-volume.js';
import { chunks } from '../shared/chunks.js';
import { managedOnly } from './ownership.js';
import { DETACHED_IP, DETACHED_VOLUME } from './record-servers.js';

/** Deleting is for stopped, unprotected servers that exist at Scaleway and are ours (not only observed). */
export const deletable = managedOnly((server: ScalewayServer) => {
  if (!server.providerSideId) return 'it is not created at Scaleway';
  if (server.isProtected) return 'it is protected: unprotect it first (update with isProtected false)';
  if (server.state !== 'stopped') return `it is ${server.state}: power it off first`;
  return true;
});

/**
 * The server is gone at Scaleway: its record goes too, with the records of the volumes deleted with it,
 * in one transaction. Its other volumes stay as detached records, its public IPs as detached ones (Scaleway
 * keeps them in the account), its action history keeps its name.
 */
export async function removeServerRecord(ctx: ActionContext, server: ScalewayServer, deletedVolumes: Pick<ServerVolume, 'id'>[] = []): Promise<void> {
  await ctx.data.transaction(async (manager) => {
    for (const ids of chunks(deletedVolumes.map((volume) => volume.id))) await manager.delete(ServerVolume, ids);
    await manager.update(ServerVolume, { serverId: server.id }, DETACHED_VOLUME);
    await manager.update(PublicIp, { serverId: server.id }, DETACHED_IP);
    await manager.delete(ScalewayServer, { id: server.id });
  });
}
