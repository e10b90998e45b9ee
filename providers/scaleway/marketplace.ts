import { MvError, type ProviderHttp } from 'mv-infra/core';
import { listAll } from './pagination.js';
import type { LocalImage, LocalImagesResponse, LocalImageType } from './wire.js';

/** Marketplace v2: turns an image label (`ubuntu_noble`) into the zone-local image a server type can boot. */
export class Marketplace {
  constructor(private readonly http: ProviderHttp) {}

  /** Every zone-local image, to name the public images by their label: the other pages at once, after the first. */
  localImages(zone: string): Promise<LocalImage[]> {
    return listAll(this.http, { call: 'listLocalImages', path: '/marketplace/v2/local-images', query: { zone }, sizeParam: 'page_size' }, (body: LocalImagesResponse) => body.local_images);
  }

  async localImage(zone: string, label: string, options: { commercialType?: string; type?: LocalImageType } = {}): Promise<LocalImage> {
    const commercialType = options.commercialType;
    const { data } = await this.http.request<LocalImagesResponse>({
      call: 'listLocalImages',
      method: 'GET',
      path: '/marketplace/v2/local-images',
      query: { zone, image_label: label, type: options.type ?? 'instance_sbs', page_size: 100 },
    });
    const candidates = data.local_images.filter((image) => !commercialType || image.compatible_commercial_types.includes(commercialType));
    if (!candidates.length) throw new MvError('not_found', `No ${label} image${commercialType ? ` for ${commercialType}` : ''} in ${zone}`);
    return candidates[0];
  }
}
