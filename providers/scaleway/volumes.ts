import type { ProviderHttp } from 'mv-infra/core';
import { listAll } from './pagination.js';
import { id, instance } from './paths.js';
import type { CreateVolumeRequest, UpdateVolumeRequest, Volume, VolumeResponse } from './wire.js';

/** Instance volumes: local SSD (`l_ssd`), scratch, legacy `b_ssd`. SBS volumes are in block.ts. */
export class Volumes {
  constructor(private readonly http: ProviderHttp) {}

  list(zone: string, filters: { name?: string; project?: string; tags?: string[] } = {}): Promise<Volume[]> {
    return listAll(this.http, { call: 'listVolumes', path: instance(zone, '/volumes'), query: { name: filters.name, project: filters.project, tags: filters.tags?.join(',') } }, (body) => body.volumes);
  }

  async get(zone: string, volumeId: string): Promise<Volume> {
    return (await this.http.request<VolumeResponse>({ call: 'getVolume', method: 'GET', path: instance(zone, `/volumes/${id(volumeId)}`) })).data.volume;
  }

  async create(zone: string, body: CreateVolumeRequest): Promise<Volume> {
    return (await this.http.request<VolumeResponse>({ call: 'createVolume', method: 'POST', path: instance(zone, '/volumes'), body })).data.volume;
  }

  async update(zone: string, volumeId: string, body: UpdateVolumeRequest): Promise<Volume> {
    return (await this.http.request<VolumeResponse>({ call: 'updateVolume', method: 'PATCH', path: instance(zone, `/volumes/${id(volumeId)}`), body, idempotent: true })).data.volume;
  }

  async delete(zone: string, volumeId: string): Promise<void> {
    await this.http.request({ call: 'deleteVolume', method: 'DELETE', path: instance(zone, `/volumes/${id(volumeId)}`) });
  }
}
