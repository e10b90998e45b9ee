import type { ProviderHttp } from 'mv-infra/core';
import { eachPage, listAll, type PagedRequest } from './pagination.js';
import { block, id } from './paths.js';
import type { BlockVolume, BlockVolumesResponse, CreateBlockVolumeRequest, UpdateBlockVolumeRequest } from './wire.js';

export interface BlockVolumeFilters {
  name?: string;
  project_id?: string;
  tags?: string[];
}

/** Block Storage (SBS) volumes and snapshots: `/block/v1/zones/{zone}`, paged with `page_size`. */
export class BlockStorage {
  constructor(private readonly http: ProviderHttp) {}

  listVolumes(zone: string, filters: BlockVolumeFilters = {}): Promise<BlockVolume[]> {
    return listAll(this.http, this.volumesRequest(zone, filters), (body: BlockVolumesResponse) => body.volumes);
  }

  /** The zone's volumes page by page, as they arrive (see eachPage). */
  eachVolumePage(zone: string, onPage: (volumes: BlockVolume[]) => void | Promise<void>, filters: BlockVolumeFilters = {}): Promise<number> {
    return eachPage(this.http, this.volumesRequest(zone, filters), (body: BlockVolumesResponse) => body.volumes, onPage);
  }

  private volumesRequest(zone: string, filters: BlockVolumeFilters): PagedRequest {
    return { call: 'listBlockVolumes', path: block(zone, '/volumes'), query: { ...filters, tags: filters.tags?.join(',') }, sizeParam: 'page_size' };
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

  async deleteSnapshot(zone: string, snapshotId: string): Promise<void> {
    await this.http.request({ call: 'deleteBlockSnapshot', method: 'DELETE', path: block(zone, `/snapshots/${id(snapshotId)}`) });
  }
}
