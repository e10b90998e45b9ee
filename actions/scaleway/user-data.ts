import { defineAction, param } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerUserData } from '../../entities/server-user-data.js';
import { instance } from '../../providers/scaleway/paths.js';
import { dryRunResult, readsDryRun } from './dry-run.js';
import { managedOnly } from './ownership.js';
import { scalewayOf, zoneOf } from './provider.js';

const exists = (server: ScalewayServer) => !!server.providerSideId || 'it is not created at Scaleway yet';
const KEY = /^[\w.-]{1,100}$/;

/** Reads every user-data entry of the server into its ServerUserData records (a dry run reads and writes nothing). */
export const listUserData = defineAction({
  code: 'listUserData',
  label: 'Read user data',
  entity: ScalewayServer,
  kind: 'instance',
  role: 'viewer',
  applicable: exists,
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

/** Shows one user-data entry. */
export const getUserData = defineAction({
  code: 'getUserData',
  label: 'Show user data',
  entity: ScalewayServer,
  kind: 'instance',
  role: 'viewer',
  applicable: exists,
  params: { key: param.string({ default: 'cloud-init', pattern: KEY }) },
  async handler(ctx) {
    const server = ctx.record;
    const { provider, api } = await scalewayOf(ctx, server.serviceProviderId);
    const content = await api.userData.get(zoneOf(server, provider), server.providerSideId!, ctx.params.key);
    return { message: `${ctx.params.key} of ${server.name}:\n${content}`, value: { key: ctx.params.key, content } };
  },
});

/** Sets one user-data entry (cloud-init reads `cloud-init` at the next boot). */
export const setUserData = defineAction({
  code: 'setUserData',
  label: 'Set user data',
  entity: ScalewayServer,
  kind: 'instance',
  applicable: managedOnly(exists),
  confirm: (server) => `Set user data on ${server.name}? An entry with the same key is replaced.`,
  params: {
    key: param.string({ default: 'cloud-init', pattern: KEY }),
    // cloud-init documents often carry passwords and keys: job views show it only as set.
    content: param.string({ required: true, multiline: true, sensitive: true, label: 'Content', description: 'e.g. a #cloud-config document' }),
  },
  async handler(ctx) {
    const server = ctx.record;
    const { provider, api } = await scalewayOf(ctx, server.serviceProviderId);
    const zone = zoneOf(server, provider);
    const path = instance(zone, `/servers/${server.providerSideId}/user_data/${ctx.params.key}`);
    if (ctx.job.dryRun) return dryRunResult(`set ${ctx.params.key} of ${server.name}`, [{ method: 'PATCH', path, body: ctx.params.content }]);
    await api.userData.set(zone, server.providerSideId!, ctx.params.key, ctx.params.content);
    const repo = ctx.repo(ServerUserData);
    const entry = (await repo.findOneBy({ serverId: server.id, key: ctx.params.key })) ?? repo.create({ serverId: server.id, key: ctx.params.key });
    await repo.save({ ...entry, content: ctx.params.content, contentType: 'text/plain' });
    return { message: `Set ${ctx.params.key} of ${server.name} (${ctx.params.content.length} characters)` };
  },
});
