import type { ProviderHttp } from 'mv-infra/core';
import { listAll } from './pagination.js';
import { id, instance } from './paths.js';
import type { CreateImageRequest, Image, ImageResponse } from './wire.js';

/** Instance images: public ones and the project's own (backups). */
export class Images {
  constructor(private readonly http: ProviderHttp) {}

  list(zone: string, filters: { public?: boolean; project?: string; name?: string } = {}): Promise<Image[]> {
    return listAll(this.http, { call: 'listImages', path: instance(zone, '/images'), query: { public: filters.public, project: filters.project, name: filters.name } }, (body) => body.images);
  }

  async get(zone: string, imageId: string): Promise<Image> {
    return (await this.http.request<ImageResponse>({ call: 'getImage', method: 'GET', path: instance(zone, `/images/${id(imageId)}`) })).data.image;
  }

  async create(zone: string, body: CreateImageRequest): Promise<Image> {
    return (await this.http.request<ImageResponse>({ call: 'createImage', method: 'POST', path: instance(zone, '/images'), body })).data.image;
  }

  async delete(zone: string, imageId: string): Promise<void> {
    await this.http.request({ call: 'deleteImage', method: 'DELETE', path: instance(zone, `/images/${id(imageId)}`) });
  }
}
