import type { EntityManager } from 'typeorm';
import type { Ownership } from '../../entities/provider-resource.js';
import { PublicIp } from '../../entities/public-ip.js';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { SecurityGroup } from '../../entities/security-group.js';
import { ServerVolume } from '../../entities/server-volume.js';
import type { ScalewayApi } from '../../providers/scaleway/client.js';
import { blockVolumeFields, instanceVolumeFields, serverFields } from '../../providers/scaleway/mapping.js';
import type * as wire from '../../providers/scaleway/wire.js';
import { keyOf, upsertResources, type ResourceKey } from '../shared/upsert-resources.js';

/** Ids per `IN (...)` list. */
const IN_LIST = 1000;

/** What the user decides on a record: a refresh after an action leaves their pending edits alone. */
const DESIRED_COLUMNS = ['name', 'serverType', 'tags', 'securityGroupId', 'isProtected', 'bootType', 'dynamicIpRequired', 'enableIpv6'] as const;
/** What only the provider knows: always taken from it. */
const OBSERVED_COLUMNS = [
  'state', 'zone', 'project', 'allowedActions', 'publicIp', 'ipv6Address', 'privateIp', 'hostname', 'arch', 'placementGroup', 'maintenances',
  'privateNics', 'totalLocalVolumesSize', 'location', 'providerCreatedAt', 'providerModifiedAt', 'lastSyncAt',
] as const;
const VOLUME_COLUMNS = ['name', 'kind', 'volumeType', 'size', 'iops', 'state', 'project', 'tags', 'isBoot', 'baseSnapshot', 'serverId', 'providerCreatedAt', 'providerModifiedAt', 'lastSyncAt'] as const;

export interface RecordServersOptions {
  ownershipOfNew: Ownership;
  /** `all` when the provider is the truth (import, create, save); `observed` to keep the user's edits (refresh). */
  fields: 'all' | 'observed';
  /** SBS volumes of the zone by id, when the caller listed them already (sync); fetched one by one otherwise. */
  blockVolumes?: Map<string, wire.BlockVolume>;
}

/**
 * Writes Scaleway servers into our records with what hangs off them: their security group, their volumes
 * (boot volume marked) and their public IPs; volumes and IPs no longer attached are let go. One path for a
 * single server (after an action) and for thousands (sync). Returns record ids by provider id.
 */
export async function recordServers(
  manager: EntityManager,
  serviceProviderId: string,
  api: ScalewayApi,
  servers: wire.Server[],
  options: RecordServersOptions,
): Promise<Map<ResourceKey, string>> {
  const groups = new Map<ResourceKey, { providerSideId: string; zone: string; name: string }>();
  for (const server of servers) {
    if (server.security_group) groups.set(keyOf(server.zone, server.security_group.id), { providerSideId: server.security_group.id, zone: server.zone, name: server.security_group.name });
  }
  const groupIds = await upsertResources(manager, SecurityGroup, serviceProviderId, [...groups.values()], { ownershipOfNew: 'observed', update: ['name'] });

  const serverIds = await upsertResources(
    manager,
    ScalewayServer,
    serviceProviderId,
    servers.map((server) =>
      Object.assign(serverFields(server), {
        providerSideId: server.id,
        zone: server.zone,
        securityGroupId: server.security_group ? groupIds.get(keyOf(server.zone, server.security_group.id)) ?? null : null,
      }),
    ),
    { ownershipOfNew: options.ownershipOfNew, update: options.fields === 'all' ? [...DESIRED_COLUMNS, ...OBSERVED_COLUMNS] : [...OBSERVED_COLUMNS] },
  );

  const volumes: (Partial<ServerVolume> & { providerSideId: string; zone: string })[] = [];
  for (const server of servers) {
    const serverId = serverIds.get(keyOf(server.zone, server.id))!;
    for (const volume of Object.values(server.volumes)) {
      const fields =
        volume.volume_type === 'sbs_volume'
          ? blockVolumeFields(options.blockVolumes?.get(volume.id) ?? (await api.block.getVolume(server.zone, volume.id)), volume.boot)
          : instanceVolumeFields(volume as wire.Volume, volume.boot);
      volumes.push(Object.assign(fields, { providerSideId: volume.id, zone: server.zone, serverId }));
    }
  }
  const volumeIds = await upsertResources(manager, ServerVolume, serviceProviderId, volumes, { ownershipOfNew: options.ownershipOfNew, update: [...VOLUME_COLUMNS] });

  const ips = servers.flatMap((server) =>
    server.public_ips.map((ip) => ({
      providerSideId: ip.id,
      zone: server.zone,
      address: ip.address,
      type: ip.family === 'inet6' ? ('routed_ipv6' as const) : ('routed_ipv4' as const),
      state: ip.state,
      serverId: serverIds.get(keyOf(server.zone, server.id))!,
      lastSyncAt: new Date(),
    })),
  );
  const ipIds = await upsertResources(manager, PublicIp, serviceProviderId, ips, { ownershipOfNew: options.ownershipOfNew, update: ['address', 'type', 'state', 'serverId', 'lastSyncAt'] });

  const touched = servers.map((server) => serverIds.get(keyOf(server.zone, server.id))!);
  await letGo(manager, ServerVolume, serviceProviderId, touched, new Set(volumeIds.values()), { serverId: null, isBoot: false });
  await letGo(manager, PublicIp, serviceProviderId, touched, new Set(ipIds.values()), { serverId: null, state: 'detached' });
  return serverIds;
}

/** Records still pointing at one of these servers that the provider no longer shows attached. */
async function letGo(
  manager: EntityManager,
  entity: typeof ServerVolume | typeof PublicIp,
  serviceProviderId: string,
  serverIds: string[],
  current: Set<string>,
  changes: Record<string, unknown>,
): Promise<void> {
  const attached: { id: string; serverId: string }[] = [];
  const query = () => manager.createQueryBuilder(entity, 'r').select('r.id', 'id').addSelect('r.serverId', 'serverId');
  if (serverIds.length <= IN_LIST) {
    if (serverIds.length) attached.push(...(await query().where('r.serverId IN (:...ids)', { ids: serverIds }).getRawMany()));
  } else {
    // A sync: one pass over the account's attached records, rather than a scan of the table per thousand servers.
    const touched = new Set(serverIds);
    const all: { id: string; serverId: string }[] = await query().where('r.serviceProviderId = :serviceProviderId AND r.serverId IS NOT NULL', { serviceProviderId }).getRawMany();
    attached.push(...all.filter((r) => touched.has(r.serverId)));
  }
  const stale = attached.map((r) => r.id).filter((id) => !current.has(id));
  for (let i = 0; i < stale.length; i += IN_LIST) {
    await manager.createQueryBuilder().update(entity).set(changes).whereInIds(stale.slice(i, i + IN_LIST)).execute();
  }
}
