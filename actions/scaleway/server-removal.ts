import type { ActionContext } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerVolume } from '../../entities/server-volume.js';
import { managedOnly } from './ownership.js';

/** Deleting is for stopped, unprotected servers that exist at Scaleway and are ours (not only observed). */
export const deletable = managedOnly((server: ScalewayServer) => {
  if (!server.providerSideId) return 'it is not created at Scaleway';
  if (server.isProtected) return 'it is protected: unprotect it first (update with isProtected false)';
  if (server.state !== 'stopped') return `it is ${server.state}: power it off first`;
  return true;
});

/**
 * The server is gone at Scaleway: its record goes too. Its volumes stay as detached records, its public
 * IPs are let go, its action history keeps its name.
 */
export async function removeServerRecord(ctx: ActionContext, server: ScalewayServer): Promise<void> {
  await ctx.data.transaction(async (manager) => {
    await manager.update(ServerVolume, { serverId: server.id }, { serverId: null, isBoot: false });
    await manager.delete(ScalewayServer, { id: server.id });
  });
}
