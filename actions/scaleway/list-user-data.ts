import { defineAction } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerUserData } from '../../entities/server-user-data.js';
import { instance } from '../../providers/scaleway/paths.js';
import { readsDryRun } from './dry-run.js';
import { scalewayOf, zoneOf } from './provider.js';
import { createdAtScaleway } from './user-data-key.js';

/**
 * Reads every user-data entry of the server into its ServerUserData records (a dry run reads and writes
 * nothing). Operators only: cloud-init documents often carry passwords and keys.
 */
export const listUserData = defineAction({
  code: 'listUserData',
  label: 'Read user data',
  entity: ScalewayServer,
  kind: 'instance',
  role: 'operator',
  applicable: createdAtScaleway,
  async handler(ctx) {
    const server = ctx.record;
    const { provider, api } = await scalewayOf(ctx, server.serviceProviderId);
    const zone = zoneOf(server, provider);
    const path = instance(zone, `/servers/${server.providerSideId}/user_data`);
    if (ctx.job.dryRun) return readsDryRun(`read the user data of ${server.name}`, [path, `${path}/{each key}`]);
    const keys = await api.userData.keys(zone, server.providerSideId!);
    const entries: { key: string; content: string }[] = [];
    for (const [index, key] of keys.entries()) {
      await ctx.progress((100 * index) / Math.max(1, keys.length), `Reading ${key}`);
      entries.push({ key, content: await api.userData.get(zone, server.providerSideId!, key) });
    }
    await ctx.data.transaction(async (manager) => {
      await manager.delete(ServerUserData, { serverId: server.id });
      if (entries.length) await manager.insert(ServerUserData, entries.map((entry) => ({ ...entry, serverId: server.id, contentType: 'text/plain' })));
    });
    return { message: keys.length ? `${server.name} has user data ${keys.join(', ')}` : `${server.name} has no user data`, value: entries };
  },
});
