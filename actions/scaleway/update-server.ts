import { ActionError, defineAction } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { SecurityGroup } from '../../entities/security-group.js';
import { withOwnerTag } from '../../providers/scaleway/mapping.js';
import { instance } from '../../providers/scaleway/paths.js';
import type { UpdateServerRequest } from '../../providers/scaleway/wire.js';
import { dryRunResult } from './dry-run.js';
import { managedOnly } from './ownership.js';
import { scalewayOf, zoneOf } from './provider.js';
import { refreshServer } from './server-task.js';

/**
 * Sends the record's name, tags, security group and protection to Scaleway; the server type too, which
 * Scaleway changes only while the server is stopped (checked before calling).
 */
export const updateServer = defineAction({
  code: 'updateServer',
  label: 'Save to Scaleway',
  entity: ScalewayServer,
  kind: 'instance',
  description: 'Applies the name, tags, security group, protection and (when stopped) server type of the record at Scaleway.',
  applicable: managedOnly((server) => !!server.providerSideId || 'it is not created at Scaleway yet'),
  async handler(ctx) {
    const server = ctx.record;
    const { provider, api } = await scalewayOf(ctx, server.serviceProviderId);
    const zone = zoneOf(server, provider);
    await ctx.progress(10, `Reading ${server.name} at Scaleway`);
    const current = await api.servers.get(zone, server.providerSideId!);
    const request: UpdateServerRequest = { name: server.name, tags: withOwnerTag(server.tags, server.id), protected: server.isProtected };
    if (server.securityGroupId) {
      const group = await ctx.repo(SecurityGroup).findOneByOrFail({ id: server.securityGroupId });
      if (!group.providerSideId) throw new ActionError(`Security group ${group.name} is not created at Scaleway yet`, { field: 'securityGroupId' });
      request.security_group = { id: group.providerSideId };
    }
    if (server.serverType !== current.commercial_type) {
      if (current.state !== 'stopped') {
        throw new ActionError(`The server type can change only while the server is stopped; it is ${current.state} (power it off first)`, { field: 'serverType' });
      }
      request.commercial_type = server.serverType;
    }
    const path = instance(zone, `/servers/${server.providerSideId}`);
    if (ctx.job.dryRun) return dryRunResult(`update ${server.name}`, [{ method: 'PATCH', path, body: request }]);
    await ctx.progress(40, `Updating ${server.name}`);
    await api.servers.update(zone, server.providerSideId!, request);
    await refreshServer(ctx, api, zone, server, 'all');
    return { message: `Saved ${server.name} at Scaleway`, value: request };
  },
});
