import type { EntityManager } from 'typeorm';
import type { ActionContext } from 'mv-infra/core';
import type { Ownership } from '../../entities/provider-resource.js';
import { PublicIp } from '../../entities/public-ip.js';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { SecurityGroup } from '../../entities/security-group.js';
import { ServerVolume } from '../../entities/server-volume.js';
import type { ScalewayApi } from '../../providers/scaleway/client.js';
import { blockVolumeFields, instanceVolumeFields, serverFields } from '../../providers/scaleway/mapping.js';
import type * as wire from '../../providers/scaleway/wire.js';
import { chunks, IN_LIST } from '../shared/chunks.js';
import { keyOf, upsertResources, type ResourceKey, type WrittenIds } from '../shared/upsert-resources.js';
import { unlessGone } from '../../providers/scaleway/outcomes.js';

/** What the user decides on a record: a refresh after an action leaves their pending edits alone. */
const DESIRED_COLUMNS = ['name', 'serverType', 'tags', 'securityGroupId', 'isProtected', 'bootType', 'dynamicIpRequired', 'enableIpv6'] as const;
/** What only the provider knows: always taken from it. */
const OBSERVED_COLUMNS = [
  'state', 'zone', 'project', 'allowedActions', 'publicIp', 'ipv6Address', 'privateIp', 'hostname', 'arch', 'placementGroup', 'maintenances',
  'privateNics', 'totalLocalVolumesSize', 'location', 'providerCreatedAt', 'providerModifiedAt', 'lastSyncAt',
] as const;
const VOLUME_COLUMNS = ['name', 'kind', 'volumeType', 'size', 'iops', 'state', 'project', 'tags', 'isBoot', 'baseSnapshot', 'serverId', 'providerCreatedAt', 'providerModifiedAt', 'lastSyncAt'] as const;
const IP_COLUMNS = ['address', 'type', 'state', 'serverId', 'lastSyncAt'] as const;

export interface RecordOptions {
  ownershipOfNew: Ownership;
  /** `all` when the provider is the truth (import, create, save); `observed` to keep the user's edits (refresh). */
  fields: 'all' | 'observed';
}

/** An SBS volume slot of a server: the Instance API names it, the Block API describes it. */
export interface BlockSlot {
  volumeId: string;
  serverRecordId: string;
  boot: boolean;
  zone: string;
}

export type VolumeRow = Partial<ServerVolume> & { providerSideId: string; zone: string };

/** What a volume record becomes once its server no longer holds it. */
export const DETACHED_VOLUME = { serverId: null, isBoot: false } satisfies Partial<ServerVolume>;
/** What an IP record becomes once its server no longer holds it. */
export const DETACHED_IP = { serverId: null, state: 'detached' } satisfies Partial<PublicIp>;

/**
 * Writes Scaleway servers into our records with what hangs off them: their security group, their volumes
 * (boot volume marked) and their public IPs; volumes and IPs no longer attached are let go. The path of a
 * single server (after an action); a sync goes through the same steps page by page (server-zone-sync.ts).
 * The servers' Block volumes are read first, one by one (one gone meanwhile is left out), and then
 * everything is written in one transaction: no provider call is made while it is open.
 * Returns record ids by provider id.
 */
export async function recordServers(ctx: Pick<ActionContext, 'data'>, serviceProviderId: string, api: ScalewayApi, servers: wire.Server[], options: RecordOptions): Promise<Map<ResourceKey, string>> {
  const described = new Map<string, wire.BlockVolume>();
  for (const server of servers) {
    for (const volume of Object.values(server.volumes)) {
      if (volume.volume_type !== 'sbs_volume') continue;
      const found = await unlessGone(api.block.getVolume(server.zone, volume.id));
      if (found) described.set(volume.id, found);
    }
  }
  return ctx.data.transaction(async (manager) => {
    const written = await writeServers(manager, serviceProviderId, servers, options);
    const blockRows = written.blockSlots.filter((slot) => described.has(slot.volumeId)).map((slot) => blockVolumeRow(described.get(slot.volumeId)!, slot));
    const blockIds = await writeVolumes(manager, serviceProviderId, blockRows, options.ownershipOfNew);
    const serverIds = [...written.serverIds.values()];
    await letGo(manager, ServerVolume, { serviceProviderId }, serverIds, new Set([...written.volumeIds, ...blockIds.values()]), DETACHED_VOLUME);
    await letGo(manager, PublicIp, { serviceProviderId }, serverIds, written.ipIds, DETACHED_IP);
    return written.serverIds;
  });
}

export interface WrittenServers {
  serverIds: WrittenIds;
  /** Local volumes and IPs written, by record id. */
  volumeIds: Set<string>;
  ipIds: Set<string>;
  /** SBS volumes of these servers, left for the caller to describe from the Block API. */
  blockSlots: BlockSlot[];
}

type IpRow = Partial<PublicIp> & { providerSideId: string; zone: string };

/**
 * A server as our records need it: its record's fields, its security group, its local volumes and IPs
 * (their server's record id is filled in when written) and its SBS volumes, named only. A sync holds
 * these between a page's arrival and its write, not Scaleway's objects (about three times their size).
 */
export interface ServerRecord {
  row: Partial<ScalewayServer> & { providerSideId: string; zone: string };
  group: { providerSideId: string; zone: string; name: string } | undefined;
  local: VolumeRow[];
  ips: IpRow[];
  block: { volumeId: string; boot: boolean }[];
}

export function serverRecord(server: wire.Server): ServerRecord {
  const local: VolumeRow[] = [];
  const block: ServerRecord['block'] = [];
  for (const volume of Object.values(server.volumes)) {
    if (volume.volume_type === 'sbs_volume') block.push({ volumeId: volume.id, boot: volume.boot });
    else local.push(Object.assign(instanceVolumeFields(volume as wire.Volume, volume.boot), { providerSideId: volume.id, zone: server.zone }));
  }
  const lastSyncAt = new Date();
  return {
    row: Object.assign(serverFields(server), { providerSideId: server.id, zone: server.zone }),
    group: server.security_group ? { providerSideId: server.security_group.id, zone: server.zone, name: server.security_group.name } : undefined,
    local,
    ips: server.public_ips.map((ip) => ({
      providerSideId: ip.id,
      zone: server.zone,
      address: ip.address,
      type: ip.family === 'inet6' ? 'routed_ipv6' : 'routed_ipv4',
      state: ip.state,
      lastSyncAt,
    })),
    block,
  };
}

/** Servers with their security groups, local volumes and IPs; their SBS volumes are returned as slots. */
export function writeServers(manager: EntityManager, serviceProviderId: string, servers: wire.Server[], options: RecordOptions): Promise<WrittenServers> {
  return writeServerRecords(manager, serviceProviderId, servers.map(serverRecord), options);
}

export async function writeServerRecords(manager: EntityManager, serviceProviderId: string, servers: ServerRecord[], options: RecordOptions): Promise<WrittenServers> {
  const groups = new Map<ResourceKey, NonNullable<ServerRecord['group']>>();
  for (const { group } of servers) if (group) groups.set(keyOf(group.zone, group.providerSideId), group);
  const groupIds = await upsertResources(manager, SecurityGroup, serviceProviderId, [...groups.values()], { ownershipOfNew: 'observed', update: ['name'] });
  groups.clear();

  for (const { row, group } of servers) row.securityGroupId = group ? groupIds.get(keyOf(group.zone, group.providerSideId)) ?? null : null;
  const serverIds = await upsertResources(manager, ScalewayServer, serviceProviderId, servers.map((server) => server.row), {
    ownershipOfNew: options.ownershipOfNew,
    update: options.fields === 'all' ? [...DESIRED_COLUMNS, ...OBSERVED_COLUMNS] : [...OBSERVED_COLUMNS],
  });

  const local: VolumeRow[] = [];
  const blockSlots: BlockSlot[] = [];
  const ips: IpRow[] = [];
  for (const server of servers) {
    const serverRecordId = serverIds.get(keyOf(server.row.zone, server.row.providerSideId))!;
    for (const volume of server.local) local.push(Object.assign(volume, { serverId: serverRecordId }));
    for (const slot of server.block) blockSlots.push({ volumeId: slot.volumeId, serverRecordId, boot: slot.boot, zone: server.row.zone });
    for (const ip of server.ips) ips.push(Object.assign(ip, { serverId: serverRecordId }));
  }
  const volumeIds = await writeVolumes(manager, serviceProviderId, local, options.ownershipOfNew);
  const ipIds = await upsertResources(manager, PublicIp, serviceProviderId, ips, { ownershipOfNew: options.ownershipOfNew, update: [...IP_COLUMNS] });
  return { serverIds, volumeIds: new Set(volumeIds.values()), ipIds: new Set(ipIds.values()), blockSlots };
}

/** An SBS volume of a server, as the Block API describes it. */
export function blockVolumeRow(volume: wire.BlockVolume, slot: BlockSlot): VolumeRow {
  return Object.assign(blockVolumeFields(volume, slot.boot), { providerSideId: volume.id, zone: slot.zone, serverId: slot.serverRecordId });
}

export function writeVolumes(manager: EntityManager, serviceProviderId: string, rows: VolumeRow[], ownershipOfNew: Ownership): Promise<WrittenIds> {
  return upsertResources(manager, ServerVolume, serviceProviderId, rows, { ownershipOfNew, update: [...VOLUME_COLUMNS] });
}

/**
 * Records still pointing at one of these servers that the provider no longer shows attached. `zone` scopes
 * the one pass a sync makes over the attached records (more servers than an `IN` list takes).
 */
export async function letGo(
  manager: EntityManager,
  entity: typeof ServerVolume | typeof PublicIp,
  scope: { serviceProviderId: string; zone?: string },
  serverIds: string[],
  current: Set<string>,
  changes: typeof DETACHED_VOLUME | typeof DETACHED_IP,
): Promise<void> {
  const attached: { id: string; serverId: string }[] = [];
  const query = () => manager.createQueryBuilder(entity, 'r').select('r.id', 'id').addSelect('r.serverId', 'serverId');
  if (serverIds.length <= IN_LIST) {
    if (serverIds.length) attached.push(...(await query().where('r.serverId IN (:...ids)', { ids: serverIds }).getRawMany()));
  } else {
    // A sync: one pass over the zone's attached records, rather than a query per thousand servers.
    const touched = new Set(serverIds);
    const all = query().where('r.serviceProviderId = :serviceProviderId AND r.serverId IS NOT NULL', { serviceProviderId: scope.serviceProviderId });
    if (scope.zone) all.andWhere('r.zone = :zone', { zone: scope.zone });
    attached.push(...((await all.getRawMany()) as { id: string; serverId: string }[]).filter((r) => touched.has(r.serverId)));
  }
  const stale = attached.map((r) => r.id).filter((id) => !current.has(id));
  for (const ids of chunks(stale)) await manager.createQueryBuilder().update(entity).set(changes as never).whereInIds(ids).execute();
}
