import { MvError, type ProviderHttp } from 'mv-infra/core';

interface LocalImage {
  id: string;
  compatible_commercial_types: string[];
  arch: string;
  zone: string;
  label: string;
  type: string;
}

/** Marketplace v2: turns an image label (`ubuntu_noble`) into the zone-local image a server type can boot. */
export class Marketplace {
  constructor(private readonly http: ProviderHttp) {}

  /** Every zone-local image, to name the public images by their label. */
  async localImages(zone: string): Promise<LocalImage[]> {
    const images: LocalImage[] = [];
    for (let page = 1; ; page++) {
      const { data } = await this.http.request<{ local_images: LocalImage[]; total_count: number }>({
        call: 'listLocalImages',
        method: 'GET',
        path: '/marketplace/v2/local-images',
        query: { zone, page, page_size: 100 },
      });
      images.push(...data.local_images);
      if (images.length >= data.total_count || !data.local_images.length) return images;
    }
  }

  async localImage(zone: string, label: string, options: { commercialType?: string; type?: 'instance_sbs' | 'instance_local' } = {}): Promise<LocalImage> {
    const commercialType = options.commercialType;
    const { data } = await this.http.request<{ local_images: LocalImage[] }>({
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
