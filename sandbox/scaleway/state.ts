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

export class ScalewayState {
  readonly servers = new Map<string, ServerRecord>();
  readonly volumes = new Map<string, VolumeRecord>();
  readonly snapshots = new Map<string, Snapshot>();
  readonly images = new Map<string, Image>();
  readonly ips = new Map<string, IpRecord>();
  readonly securityGroups = new Map<string, SecurityGroupRecord>();
  readonly blockVolumes = new Map<string, BlockVolume>();
  readonly blockSnapshots = new Map<string, BlockSnapshotRecord>();
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
  find<T extends Zoned>(records: Map<string, T>, zone: string, id: string, resource: string): T {
    const record = records.get(id);
    if (!record || record.zone !== zone) throw notFound(resource, id);
    return record;
  }

  /** The records of a zone, in creation order. */
  inZone<T extends Zoned>(records: Map<string, T>, zone: string): T[] {
    return [...records.values()].filter((record) => record.zone === zone);
  }
}
