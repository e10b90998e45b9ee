import type { ActionContext } from 'mv-infra/core';
import { PublicIp } from '../../entities/public-ip.js';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerVolume } from '../../entities/server-volume.js';
import type { ScalewayApi } from '../../providers/scaleway/client.js';
import type * as wire from '../../providers/scaleway/wire.js';
import { letGoOfGone } from './gone.js';
import { unlessGone } from '../../providers/scaleway/outcomes.js';
import { blockVolumeRow, DETACHED_IP, DETACHED_VOLUME, letGo, serverRecord, writeServerRecords, writeVolumes, type BlockSlot, type ServerRecord, type VolumeRow } from './record-servers.js';
import type { ZoneOutcome } from './zone-sync.js';

/**
 * Records per write. Each commit rewrites the index pages it touched (random ids spread over many), so a
 * few large transactions cost a fraction of one per page; and between them the listing goes on.
 */
const BATCH = 2_500;

/**
 * One zone of a server sync, recorded while it is listed: pages are handed over as they arrive and written
 * in the background, a few thousand records per transaction. Servers are written with their security groups, local volumes
 * and IPs; each SBS volume as soon as both its server and the Block page describing it are in. When both
 * lists are done, what is attached to nothing is let go and the servers no longer listed are marked gone.
 * A page is turned into record fields as it arrives and let go of: only those fields wait for the next
 * write. Scaleway's objects are about three times larger, and what waits for a write lives long enough to
 * be moved to V8's old generation, where it stays until the next full collection even once written.
 */
export class ZoneSync {
  /** Servers listed since the last write, as records. */
  private pendingServers: ServerRecord[] = [];
  /** Block volumes listed since the last write whose server is written. */
  private pendingVolumes: VolumeRow[] = [];
  /** Servers and volumes listed since the last write: a write is queued past BATCH. */
  private arrived = 0;
  private queued = false;
  private written: Promise<void> = Promise.resolve();
  /** SBS volumes of written servers, waiting for the Block page that describes them. */
  private readonly slots = new Map<string, BlockSlot>();
  /** Block volumes attached to a server whose page has not come yet (their record fields, not the wire objects). */
  private readonly described = new Map<string, VolumeRow>();
  private readonly serverIds = new Set<string>();
  /** Provider ids of the servers listed (a server on two pages counts once). */
  private readonly listed = new Set<string>();
  private readonly attached = new Set<string>();
  private readonly ips = new Set<string>();
  private added = 0;
  private gone = 0;

  constructor(
    private readonly ctx: ActionContext,
    private readonly serviceProviderId: string,
    readonly zone: string,
    private readonly prefix: string,
    /** The one queue every write of the sync goes through. */
    private readonly write: <T>(work: () => Promise<T>) => Promise<T>,
  ) {}

  get outcome(): ZoneOutcome {
    return { listed: this.listed.size, added: this.added, gone: this.gone };
  }

  /** A page of servers; written in the background (a failure comes out of finish()). */
  servers(page: wire.Server[]): void {
    let taken = 0;
    for (const server of page) {
      if (!server.name.startsWith(this.prefix)) continue;
      this.pendingServers.push(serverRecord(server));
      taken++;
    }
    this.arrive(taken);
  }

  /**
   * A page of Block volumes; written in the background: a volume of a server already written with the next
   * write, one attached to a server not written yet when that server is.
   */
  volumes(page: wire.BlockVolume[]): void {
    for (const volume of page) {
      const slot = this.slots.get(volume.id);
      if (slot) {
        this.slots.delete(volume.id);
        this.pendingVolumes.push(blockVolumeRow(volume, slot));
      } else if (volume.references.some((ref) => ref.product_resource_type === 'instance_server')) {
        this.described.set(volume.id, blockVolumeRow(volume, { volumeId: volume.id, serverRecordId: '', boot: false, zone: this.zone }));
      }
    }
    this.arrive(page.length);
  }

  private arrive(count: number): void {
    this.arrived += count;
    if (this.arrived >= BATCH) this.kick();
  }

  /**
   * After both lists: the last pages, volumes the Block list did not show (attached meanwhile, read first,
   * outside the write queue; one deleted meanwhile is left out), then what is gone.
   */
  async finish(api: ScalewayApi): Promise<void> {
    this.kick();
    await this.written;
    const late = (await Promise.all([...this.slots.values()].map(async (slot) => {
      const volume = await unlessGone(api.block.getVolume(this.zone, slot.volumeId));
      return volume && blockVolumeRow(volume, slot);
    }))).filter((row): row is VolumeRow => !!row);
    await this.write(() =>
      this.ctx.data.transaction(async (manager) => {
        for (const id of (await writeVolumes(manager, this.serviceProviderId, late, 'observed')).values()) this.attached.add(id);
        const scope = { serviceProviderId: this.serviceProviderId, zone: this.zone };
        await letGo(manager, ServerVolume, scope, [...this.serverIds], this.attached, DETACHED_VOLUME);
        await letGo(manager, PublicIp, scope, [...this.serverIds], this.ips, DETACHED_IP);
        this.gone += await letGoOfGone(manager, ScalewayServer, { ...scope, namePrefix: this.prefix }, this.listed, { allowedActions: [] });
      }),
    );
  }

  /** A listing failed: nothing more is written, and the writes under way end before this returns. */
  async abandon(): Promise<void> {
    this.pendingServers = [];
    this.pendingVolumes = [];
    this.described.clear();
    await this.written.catch(() => undefined);
  }

  /** Queues one write of whatever is pending, unless one is queued already (it will take the new pages too). */
  private kick(): void {
    if (this.queued) return;
    this.queued = true;
    this.written = this.written.then(() => this.write(() => this.flush()));
    // The failure is kept for finish(); until then, nothing else listens to it.
    this.written.catch(() => undefined);
  }

  private async flush(): Promise<void> {
    this.queued = false;
    this.arrived = 0;
    const servers = this.pendingServers;
    const ready = this.pendingVolumes;
    this.pendingServers = [];
    this.pendingVolumes = [];
    await this.ctx.data.transaction(async (manager) => {
      if (servers.length) {
        const written = await writeServerRecords(manager, this.serviceProviderId, servers, { ownershipOfNew: 'observed', fields: 'all' });
        for (const server of servers) this.listed.add(server.row.providerSideId);
        servers.length = 0;
        for (const id of written.serverIds.values()) this.serverIds.add(id);
        this.added += written.serverIds.added;
        for (const id of written.volumeIds) this.attached.add(id);
        for (const id of written.ipIds) this.ips.add(id);
        for (const slot of written.blockSlots) {
          const row = this.described.get(slot.volumeId);
          if (!row) this.slots.set(slot.volumeId, slot);
          else {
            this.described.delete(slot.volumeId);
            ready.push(Object.assign(row, { isBoot: slot.boot, serverId: slot.serverRecordId }));
          }
        }
      }
      for (const id of (await writeVolumes(manager, this.serviceProviderId, ready, 'observed')).values()) this.attached.add(id);
    });
  }
}
