import type { Bootscript } from '../../entities/bootscript.js';
import type { ScalewayServer } from '../../entities/scaleway-server.js';
import type { PublicIp } from '../../entities/public-ip.js';
import type { SecurityGroup } from '../../entities/security-group.js';
import type { SecurityRule } from '../../entities/security-rule.js';
import type { ServerImage } from '../../entities/server-image.js';
import type { ServerType } from '../../entities/server-type.js';
import type { ServerVolume } from '../../entities/server-volume.js';
import { ownerTag } from '../../entities/provider-resource.js';
import type { WireBootscript } from './bootscripts.js';
import type * as wire from './wire.js';

/**
 * Scaleway objects → the fields of our records. Only what the provider decides is copied; references to
 * other records (server → security group, volume → server) are resolved by the caller.
 */
const OWNER_TAG = /^mv-record=/;

/** The user's tags: ours (the owner tag) is kept out of the record and added back when sending. */
export function userTags(tags: string[] | undefined): string[] {
  return (tags ?? []).filter((tag) => !OWNER_TAG.test(tag));
}

export function withOwnerTag(tags: string[] | null | undefined, recordId: string): string[] {
  return [...userTags(tags ?? []), ownerTag(recordId)];
}

const date = (value: string | null | undefined) => (value ? new Date(value) : null);

export function serverFields(server: wire.Server): Partial<ScalewayServer> {
  const ipv4 = server.public_ips.find((ip) => ip.family === 'inet') ?? server.public_ip;
  const ipv6 = server.public_ips.find((ip) => ip.family === 'inet6');
  const local = Object.values(server.volumes).filter((v): v is wire.Volume & { boot: boolean } => v.volume_type === 'l_ssd');
  return {
    providerSideId: server.id,
    name: server.name,
    serverType: server.commercial_type,
    zone: server.zone,
    project: server.project,
    tags: userTags(server.tags),
    state: server.state,
    allowedActions: [...server.allowed_actions],
    publicIp: ipv4?.address ?? null,
    ipv6Address: ipv6?.address ?? null,
    privateIp: server.private_ip ?? null,
    hostname: server.hostname,
    arch: server.arch,
    bootType: server.boot_type,
    isProtected: server.protected,
    dynamicIpRequired: server.dynamic_ip_required,
    enableIpv6: server.enable_ipv6,
    placementGroup: (server.placement_group as { id?: string } | null)?.id ?? null,
    maintenances: server.maintenances,
    privateNics: server.private_nics.map((nic) => ({ id: nic.id, privateNetworkId: nic.private_network_id, state: nic.state })),
    totalLocalVolumesSize: local.reduce((sum, v) => sum + v.size, 0),
    location: server.location ? [server.location.zone_id, server.location.platform_id, server.location.cluster_id, server.location.hypervisor_id, server.location.node_id].join('/') : null,
    providerCreatedAt: date(server.creation_date),
    providerModifiedAt: date(server.modification_date),
    lastSyncAt: new Date(),
  };
}

/** A local (Instance) volume, standalone or as embedded in a server. */
export function instanceVolumeFields(volume: wire.Volume, boot = false): Partial<ServerVolume> {
  return {
    providerSideId: volume.id,
    name: volume.name,
    kind: 'volume',
    volumeType: volume.volume_type as ServerVolume['volumeType'],
    size: volume.size,
    zone: volume.zone,
    project: volume.project,
    tags: userTags(volume.tags),
    state: volume.state,
    isBoot: boot,
    providerCreatedAt: date(volume.creation_date),
    providerModifiedAt: date(volume.modification_date),
    lastSyncAt: new Date(),
  };
}

export function blockVolumeFields(volume: wire.BlockVolume, boot = false): Partial<ServerVolume> {
  return {
    providerSideId: volume.id,
    name: volume.name,
    kind: 'volume',
    volumeType: 'sbs_volume',
    size: volume.size,
    iops: volume.specs?.perf_iops ?? null,
    zone: volume.zone,
    project: volume.project_id,
    tags: userTags(volume.tags),
    state: volume.status,
    isBoot: boot,
    baseSnapshot: volume.parent_snapshot_id,
    providerCreatedAt: date(volume.created_at),
    providerModifiedAt: date(volume.updated_at),
    lastSyncAt: new Date(),
  };
}

/** A snapshot as a backup image refers to it (Instance snapshot or Block snapshot). */
export function snapshotFields(snapshot: wire.VolumeSummary, zone: string): Partial<ServerVolume> {
  return {
    providerSideId: snapshot.id,
    name: snapshot.name,
    kind: 'snapshot',
    volumeType: snapshot.volume_type as ServerVolume['volumeType'],
    size: snapshot.size || null,
    zone,
    lastSyncAt: new Date(),
  };
}

export function imageFields(image: wire.Image, label?: string): Partial<ServerImage> {
  return {
    providerSideId: image.id,
    name: image.name,
    label: label ?? null,
    arch: image.arch,
    isPublic: image.public,
    fromServer: image.from_server || null,
    state: image.state,
    zone: image.zone,
    project: image.project,
    tags: userTags(image.tags),
    providerCreatedAt: date(image.creation_date),
    providerModifiedAt: date(image.modification_date),
    lastSyncAt: new Date(),
  };
}

export function ipFields(ip: wire.Ip): Partial<PublicIp> {
  return {
    providerSideId: ip.id,
    address: ip.address,
    type: ip.type,
    prefix: ip.prefix,
    reverse: ip.reverse,
    state: ip.state,
    zone: ip.zone,
    project: ip.project,
    tags: userTags(ip.tags),
    lastSyncAt: new Date(),
  };
}

export function securityGroupFields(group: wire.SecurityGroup): Partial<SecurityGroup> {
  return {
    providerSideId: group.id,
    name: group.name,
    description: group.description,
    stateful: group.stateful,
    inboundDefaultPolicy: group.inbound_default_policy,
    outboundDefaultPolicy: group.outbound_default_policy,
    projectDefault: group.project_default,
    enableDefaultSecurity: group.enable_default_security,
    state: group.state,
    zone: group.zone,
    project: group.project,
    tags: userTags(group.tags),
    providerCreatedAt: date(group.creation_date),
    providerModifiedAt: date(group.modification_date),
    lastSyncAt: new Date(),
  };
}

export function ruleFields(rule: wire.SecurityGroupRule): Partial<SecurityRule> {
  return {
    providerSideId: rule.id,
    protocol: rule.protocol,
    direction: rule.direction,
    action: rule.action,
    ipRange: rule.ip_range,
    destPortFrom: rule.dest_port_from,
    destPortTo: rule.dest_port_to,
    position: rule.position,
    editable: rule.editable,
    zone: rule.zone,
    lastSyncAt: new Date(),
  };
}

export function serverTypeFields(name: string, type: wire.ServerType, zone: string, availability: wire.ServerTypeAvailability | undefined): Partial<ServerType> {
  return {
    name,
    zone,
    ncpus: type.ncpus,
    ram: type.ram,
    arch: type.arch,
    gpu: type.gpu ?? 0,
    hourlyPrice: type.hourly_price,
    monthlyPrice: type.monthly_price,
    minLocalVolumesSize: type.volumes_constraint?.min_size ?? 0,
    maxLocalVolumesSize: type.volumes_constraint?.max_size ?? 0,
    blockStorage: type.capabilities?.block_storage ?? true,
    availability: availability ?? 'available',
    endOfService: type.end_of_service,
  };
}

/** A bootscript, as the Instance API listed them until 2024. */
export function bootscriptFields(bootscript: WireBootscript): Partial<Bootscript> {
  return {
    providerSideId: bootscript.id,
    title: bootscript.title,
    arch: bootscript.arch,
    bootcmdargs: bootscript.bootcmdargs,
    dtb: bootscript.dtb || null,
    initrd: bootscript.initrd,
    kernel: bootscript.kernel,
    isDefault: bootscript.default,
    isPublic: bootscript.public,
    project: bootscript.project,
    zone: bootscript.zone,
    lastSyncAt: new Date(),
  };
}
