/**
 * The emulator's in-memory store. Records are the wire objects minus what is derived when they
 * are read (a server's volumes and IPs, an IP's server...), plus the links that derivation needs.
 * Maps are keyed by id across zones (ids are unique); records carry their zone.
 */
import type {
  BlockSnapshot,
  BlockVolume,
  Image,
  Ip,
  LocalImage,
  SecurityGroup,
  SecurityGroupRule,
  Server,
  ServerIp,
  Snapshot,
  Volume,
} from '../../providers/scaleway/wire.js';
import { Timeline } from '../timeline.js';
import { notFound } from './errors.js';

/** What a server volume slot holds: a local volume or an SBS (Block) volume. */
export interface VolumeRef {
  kind: 'local' | 'block';
  id: string;
  boot: boolean;
}

export interface ServerRecord
  extends Omit<Server, 'volumes' | 'public_ip' | 'public_ips' | 'security_group' | 'allowed_actions' | 'hostname'> {
  /** Volume slots in order: slot `i` is `volumes["i"]` on the wire. */
  volume_refs: VolumeRef[];
  /** Attached IPs, in attachment order. */
  ip_ids: string[];
  security_group_id: string | null;
  /** A backup is being taken: production allows no action meanwhile. */
  backup_in_progress: boolean;
  user_data: Map<string, string>;
}

export type VolumeRecord = Omit<Volume, 'server'> & { server_id: string | null };

export type IpRecord = Omit<Ip, 'server' | 'state'> & {
  server_id: string | null;
  /** Allocated for `dynamic_ip_required`: released with its server. */
  dynamic: boolean;
  provisioning_mode: ServerIp['provisioning_mode'];
};

export type SecurityGroupRecord = Omit<SecurityGroup, 'servers'> & { rules: SecurityGroupRule[] };

export type BlockSnapshotRecord = Omit<BlockSnapshot, 'parent_volume'> & { parent_volume_id: string | null };

interface Zoned {
  zone: string;
}

/**
 * A map of records by id that also keeps each zone's records in creation order, so that a list reads
 * its zone without going through every record of every zone.
 */
export class ZonedMap<T extends Zoned> extends Map<string, T> {
  readonly #zones = new Map<string, T[]>();

  override set(id: string, record: T): this {
    const previous = super.get(id);
    super.set(id, record);
    const zone = this.#zones.get(record.zone) ?? this.#zones.set(record.zone, []).get(record.zone)!;
    if (previous) zone[zone.indexOf(previous)] = record;
    else zone.push(record);
    return this;
  }

  override delete(id: string): boolean {
    const record = super.get(id);
    if (record) {
      const zone = this.#zones.get(record.zone)!;
      zone.splice(zone.indexOf(record), 1);
    }
    return super.delete(id);
  }

  override clear(): void {
    this.#zones.clear();
    super.clear();
  }

  /** The zone's records in creation order; not a copy: do not change it. */
  zone(zone: string): readonly T[] {
    return this.#zones.get(zone) ?? [];
  }
}

export class ScalewayState {
  readonly servers = new ZonedMap<ServerRecord>();
  readonly volumes = new ZonedMap<VolumeRecord>();
  readonly snapshots = new ZonedMap<Snapshot>();
  readonly images = new ZonedMap<Image>();
  readonly ips = new ZonedMap<IpRecord>();
  readonly securityGroups = new ZonedMap<SecurityGroupRecord>();
  readonly blockVolumes = new ZonedMap<BlockVolume>();
  readonly blockSnapshots = new ZonedMap<BlockSnapshotRecord>();
  /** Marketplace v2 local images: the zone-local builds of the public images. */
  readonly localImages = new Map<string, LocalImage>();
  /** Pending transitions (boots, creations...): run before each request is answered. */
  readonly timeline = new Timeline();
  readonly #counters = new Map<string, number>();

  /** @param seed Puts the catalogue (public images) in an empty store; run again on reset. */
  constructor(private readonly seed: (state: ScalewayState) => void) {
    this.reset();
  }

  /** Empties the store and seeds it again. */
  reset(): void {
    const maps = [this.servers, this.volumes, this.snapshots, this.images, this.ips, this.securityGroups];
    for (const map of [...maps, this.blockVolumes, this.blockSnapshots, this.localImages, this.#counters]) map.clear();
    this.timeline.clear();
    this.seed(this);
  }

  /** The next value of a counter (1, 2, ...), for MAC and IP address allocation. */
  next(counter: string): number {
    const value = (this.#counters.get(counter) ?? 0) + 1;
    this.#counters.set(counter, value);
    return value;
  }

  /** The record with this id in this zone, or a 404 naming `resource` (e.g. `instance_server`). */
  find<T extends Zoned>(records: ZonedMap<T>, zone: string, id: string, resource: string): T {
    const record = records.get(id);
    if (!record || record.zone !== zone) throw notFound(resource, id);
    return record;
  }

  /** The records of a zone, in creation order (a copy, free to sort or filter). */
  inZone<T extends Zoned>(records: ZonedMap<T>, zone: string): T[] {
    return [...records.zone(zone)];
  }
}
