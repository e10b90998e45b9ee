import { defineAction, param } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerUserData } from '../../entities/server-user-data.js';
import { instance } from '../../providers/scaleway/paths.js';
import { dryRunResult } from './dry-run.js';
import { managedOnly } from './ownership.js';
import { scalewayOf, zoneOf } from './provider.js';
import { createdAtScaleway, USER_DATA_KEY } from './user-data-key.js';

/** Sets one user-data entry (cloud-init reads `cloud-init` at the next boot). */
export const setUserData = defineAction({
  code: 'setUserData',
  label: 'Set user data',
  entity: ScalewayServer,
  kind: 'instance',
  applicable: managedOnly(createdAtScaleway),
  confirm: (server) => `Set user data on ${server.name}? An entry with the same key is replaced.`,
  params: {
    key: param.string({ default: 'cloud-init', pattern: USER_DATA_KEY }),
    // cloud-init documents often carry passwords and keys: job views show it only as set.
    content: param.string({ required: true, multiline: true, sensitive: true, label: 'Content', description: 'e.g. a #cloud-config document' }),
  },
  async handler(ctx) {
    const server = ctx.record;
    const { provider, api } = await scalewayOf(ctx, server.serviceProviderId);
    const zone = zoneOf(server, provider);
    const path = instance(zone, `/servers/${server.providerSideId}/user_data/${ctx.params.key}`);
    if (ctx.job.dryRun) {
      // The job's result is shown to whoever may read the job: the content stays hidden there too.
      const body = `(the content, ${ctx.params.content.length} characters)`;
      return dryRunResult(`set ${ctx.params.key} of ${server.name}`, [{ method: 'PATCH', path, body }]);
    }
    await api.userData.set(zone, server.providerSideId!, ctx.params.key, ctx.params.content);
    const repo = ctx.repo(ServerUserData);
    const entry = (await repo.findOneBy({ serverId: server.id, key: ctx.params.key })) ?? repo.create({ serverId: server.id, key: ctx.params.key });
    await repo.save({ ...entry, content: ctx.params.content, contentType: 'text/plain' });
    return { message: `Set ${ctx.params.key} of ${server.name} (${ctx.params.content.length} characters)` };
  },
});
