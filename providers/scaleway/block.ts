import { MvError, type ProviderHttp } from 'mv-infra/core';
import { block, id } from './paths.js';
import type {
  BlockSnapshot,
  BlockSnapshotsResponse,
  BlockVolume,
  BlockVolumesResponse,
  CreateBlockVolumeRequest,
  UpdateBlockVolumeRequest,
} from './wire.js';

const PAGE_SIZE = 100;

/** Block Storage (SBS) volumes and snapshots: `/block/v1/zones/{zone}`, paged with `page_size`. */
export class BlockStorage {
  constructor(private readonly http: ProviderHttp) {}

  listVolumes(zone: string, filters: { name?: string; project_id?: string; tags?: string[] } = {}): Promise<BlockVolume[]> {
    return this.all<BlockVolumesResponse, BlockVolume>('listBlockVolumes', block(zone, '/volumes'), { ...filters, tags: filters.tags?.join(',') }, (b) => b.volumes);
  }

  async getVolume(zone: string, volumeId: string): Promise<BlockVolume> {
    return (await this.http.request<BlockVolume>({ call: 'getBlockVolume', method: 'GET', path: block(zone, `/volumes/${id(volumeId)}`) })).data;
  }

  async createVolume(zone: string, body: CreateBlockVolumeRequest): Promise<BlockVolume> {
    return (await this.http.request<BlockVolume>({ call: 'createBlockVolume', method: 'POST', path: block(zone, '/volumes'), body })).data;
  }

  async updateVolume(zone: string, volumeId: string, body: UpdateBlockVolumeRequest): Promise<BlockVolume> {
    return (await this.http.request<BlockVolume>({ call: 'updateBlockVolume', method: 'PATCH', path: block(zone, `/volumes/${id(volumeId)}`), body, idempotent: true })).data;
  }

  async deleteVolume(zone: string, volumeId: string): Promise<void> {
    await this.http.request({ call: 'deleteBlockVolume', method: 'DELETE', path: block(zone, `/volumes/${id(volumeId)}`) });
  }

  async getSnapshot(zone: string, snapshotId: string): Promise<BlockSnapshot> {
    return (await this.http.request<BlockSnapshot>({ call: 'getBlockSnapshot', method: 'GET', path: block(zone, `/snapshots/${id(snapshotId)}`) })).data;
  }

  async deleteSnapshot(zone: string, snapshotId: string): Promise<void> {
    await this.http.request({ call: 'deleteBlockSnapshot', method: 'DELETE', path: block(zone, `/snapshots/${id(snapshotId)}`) });
  }

  private async all<R extends { total_count: number }, T>(call: string, path: string, query: Record<string, string | undefined>, items: (body: R) => T[]): Promise<T[]> {
    const page = async (n: number) => (await this.http.request<R>({ call, method: 'GET', path, query: { ...query, page: n, page_size: PAGE_SIZE } })).data;
    const first = await page(1);
    const pages = Math.ceil(first.total_count / PAGE_SIZE);
    const rest = await Promise.all(Array.from({ length: Math.max(0, pages - 1) }, (_, i) => page(i + 2)));
    const all = [first, ...rest].flatMap(items);
    if (all.length < first.total_count) throw new MvError('provider_error', `Scaleway ${call}: the API announced ${first.total_count} items but ${all.length} came back`);
    return all;
  }
}
