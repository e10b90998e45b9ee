import type { ActionContext } from 'mv-infra/core';
import { PublicIp } from '../../entities/public-ip.js';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerVolume } from '../../entities/server-volume.js';
import type { ScalewayApi } from '../../providers/scaleway/client.js';
import type * as wire from '../../providers/scaleway/wire.js';
import type { ResourceKey } from '../shared/upsert-resources.js';
import { letGoOfGone } from './gone.js';
import { blockVolumeRow, letGo, writeServers, writeVolumes, type BlockSlot, type VolumeRow } from './record-servers.js';

/**
 * Records per write. Each commit rewrites the index pages it touched (random ids spread over many), so a
 * few large transactions cost a fraction of one per page; and between them the listing goes on.
 */
const BATCH = 2_500;

export interface ZoneSyncCounts {
  listed: number;
  added: number;
  gone: number;
}

/**
 * One zone of a server sync, recorded while it is listed: pages are handed over as they arrive and written
 * in the background, a few thousand records per transaction. Servers are written with their security groups, local volumes
 * and IPs; each SBS volume as soon as both its server and the Block page describing it are in. When both
 * lists are done, what is attached to nothing is let go and the servers no longer listed are marked gone.
 * Only pages waiting to be written and volumes not matched yet are held in memory.
 */
export class ZoneSync {
  private pendingServers: wire.Server[] = [];
  private pendingVolumes: wire.BlockVolume[] = [];
  private queued = false;
  private written: Promise<void> = Promise.resolve();
  /** SBS volumes of written servers, waiting for the Block page that describes them. */
  private readonly slots = new Map<string, BlockSlot>();
  /** Block volumes attached to a server whose page has not come yet (their record fields, not the wire objects). */
  private readonly described = new Map<string, VolumeRow>();
  private readonly serverIds: string[] = [];
  private readonly listed = new Set<string>();
  private readonly attached = new Set<string>();
  private readonly ips = new Set<string>();
  readonly counts: ZoneSyncCounts = { listed: 0, added: 0, gone: 0 };

  constructor(
    private readonly ctx: ActionContext,
    private readonly serviceProviderId: string,
    readonly zone: string,
    private readonly prefix: string,
    /** Servers known before the sync, to count the new ones. */
    private readonly known: Map<ResourceKey, string>,
    /** The one queue every write of the sync goes through. */
    private readonly write: <T>(work: () => Promise<T>) => Promise<T>,
  ) {}

  /** A page of servers; written in the background (a failure comes out of finish()). */
  servers(page: wire.Server[]): void {
    this.pendingServers.push(...page.filter((server) => server.name.startsWith(this.prefix)));
    if (this.pendingServers.length + this.pendingVolumes.length >= BATCH) this.kick();
  }

  /** A page of Block volumes; written in the background. */
  volumes(page: wire.BlockVolume[]): void {
    this.pendingVolumes.push(...page);
    if (this.pendingServers.length + this.pendingVolumes.length >= BATCH) this.kick();
  }

  /** After both lists: the last pages, volumes the Block list did not show (attached meanwhile), then what is gone. */
  async finish(api: ScalewayApi): Promise<void> {
    this.kick();
    await this.written;
    await this.write(async () => {
      const late: VolumeRow[] = [];
      for (const slot of this.slots.values()) late.push(blockVolumeRow(await api.block.getVolume(this.zone, slot.volumeId), slot));
      await this.ctx.data.transaction(async (manager) => {
        for (const id of (await writeVolumes(manager, this.serviceProviderId, late, 'observed')).values()) this.attached.add(id);
        await letGo(manager, ServerVolume, this.serviceProviderId, this.serverIds, this.attached, { serverId: null, isBoot: false });
        await letGo(manager, PublicIp, this.serviceProviderId, this.serverIds, this.ips, { serverId: null, state: 'detached' });
        this.counts.gone += await letGoOfGone(manager, ScalewayServer, { serviceProviderId: this.serviceProviderId, zone: this.zone, namePrefix: this.prefix }, this.listed, { allowedActions: [] });
      });
    });
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
    const servers = this.pendingServers.splice(0);
    const volumes = this.pendingVolumes.splice(0);
    await this.ctx.data.transaction(async (manager) => {
      const ready: VolumeRow[] = [];
      if (servers.length) {
        const written = await writeServers(manager, this.serviceProviderId, servers, { ownershipOfNew: 'observed', fields: 'all' });
        for (const server of servers) this.listed.add(server.id);
        for (const [key, id] of written.serverIds) {
          this.serverIds.push(id);
          if (!this.known.has(key)) this.counts.added++;
        }
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
        this.counts.listed += servers.length;
      }
      for (const volume of volumes) {
        const slot = this.slots.get(volume.id);
        if (slot) {
          this.slots.delete(volume.id);
          ready.push(blockVolumeRow(volume, slot));
        } else if (volume.references.some((ref) => ref.product_resource_type === 'instance_server')) {
          this.described.set(volume.id, blockVolumeRow(volume, { volumeId: volume.id, serverRecordId: '', boot: false, zone: this.zone }));
        }
      }
      for (const id of (await writeVolumes(manager, this.serviceProviderId, ready, 'observed')).values()) this.attached.add(id);
    });
  }
}
