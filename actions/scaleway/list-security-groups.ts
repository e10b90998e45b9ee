import { defineAction } from 'mv-infra/core';
import { SecurityGroup } from '../../entities/security-group.js';
import { securityGroupFields } from '../../providers/scaleway/mapping.js';
import { instance } from '../../providers/scaleway/paths.js';
import { keyOf, upsertResources } from '../shared/upsert-resources.js';
import { letGoOfGone } from './gone.js';
import { recordRules } from './security-rules.js';
import { perProvider, serviceProviderParam, syncEachZone } from './zone-sync.js';

const GROUP_COLUMNS = [
  'name', 'description', 'stateful', 'inboundDefaultPolicy', 'outboundDefaultPolicy', 'projectDefault', 'enableDefaultSecurity', 'state', 'project', 'tags',
  'providerCreatedAt', 'providerModifiedAt', 'lastSyncAt',
] as const;

/**
 * Imports the account's security groups, zone by zone, with their rules (one call per group, run together
 * within the account's request budget). New groups and rules come in `observed`; rules gone at Scaleway
 * are removed, groups gone are removed (observed) or marked `deleted` (ours).
 */
export const listSecurityGroups = defineAction({
  code: 'listSecurityGroups',
  label: 'Sync from Scaleway',
  entity: SecurityGroup,
  kind: 'list',
  description: 'Imports and refreshes the security groups of a Scaleway account, with their rules, in each of its zones.',
  params: { serviceProviderId: serviceProviderParam },
  lockKey: perProvider,
  handler: (ctx) =>
    syncEachZone(ctx, 'security groups', async ({ api, provider, zone }) => {
      const groups = await api.securityGroups.list(zone);
      const rules = await Promise.all(groups.map((group) => api.securityGroups.listRules(zone, group.id)));
      return ctx.data.transaction(async (manager) => {
        const rows = groups.map((group) => ({ ...securityGroupFields(group), providerSideId: group.id, zone }));
        const written = await upsertResources(manager, SecurityGroup, provider.id, rows, { ownershipOfNew: 'observed', update: [...GROUP_COLUMNS] });
        // Rules take their group's ownership, which a sync never changes: read it back.
        const records = await manager.find(SecurityGroup, { select: { id: true, zone: true, ownership: true }, where: { serviceProviderId: provider.id, zone } });
        const byId = new Map(records.map((record) => [record.id, record]));
        await recordRules(manager, provider.id, groups.map((group, i) => ({ group: byId.get(written.get(keyOf(zone, group.id))!)!, rules: rules[i] })));
        const gone = await letGoOfGone(manager, SecurityGroup, { serviceProviderId: provider.id, zone }, new Set(groups.map((group) => group.id)));
        return { listed: groups.length, added: written.added, gone, more: { rules: rules.reduce((sum, list) => sum + list.length, 0) } };
      });
    }, { reads: (zone) => [instance(zone, '/security_groups'), instance(zone, '/security_groups/{each group}/rules')] }),
});
