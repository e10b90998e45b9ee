/**
 * Marketplace v2 (`/marketplace/v2`): the public OS images, one zone-local build per zone,
 * architecture and root volume kind (`instance_sbs` boots from a Block snapshot, `instance_local`
 * from a local SSD). Clients resolve a label such as `ubuntu_noble` to a local image id here,
 * then create servers with that id.
 */
import { Router } from 'express';
import type { Arch, Image, LocalImage, LocalImageType, MarketplaceImage } from '../../providers/scaleway/wire.js';
import { IMAGE_ROOT_SIZE, MARKETPLACE_ORGANIZATION_ID, OS_IMAGES, SERVER_TYPES, ZONES, hasLocalStorage, type OsImage } from './catalogue.js';
import { notFound } from './errors.js';
import { stableId } from './ids.js';
import { itemsOf, standardPage } from './pagination.js';
import { replyJson } from './reply.js';
import type { ScalewayState } from './state.js';
import { blockDate, instanceDate } from './time.js';

/** The commercial types a build boots on: its architecture, with local storage for `instance_local`. */
function compatibleTypes(type: LocalImageType, arch: Arch): string[] {
  return Object.entries(SERVER_TYPES)
    .filter(([, serverType]) => serverType.arch === arch && (type === 'instance_sbs' || hasLocalStorage(serverType)))
    .map(([name]) => name);
}

function builds(os: OsImage): Array<{ type: LocalImageType; arch: Arch }> {
  return [
    { type: 'instance_sbs', arch: 'x86_64' },
    ...(os.arm ? [{ type: 'instance_sbs' as const, arch: 'arm64' as const }] : []),
    { type: 'instance_local', arch: 'x86_64' },
  ];
}

function publicImage(id: string, os: OsImage, zone: string, type: LocalImageType, arch: Arch): Image {
  const date = instanceDate(Date.parse(os.released));
  return {
    id,
    name: os.name,
    organization: MARKETPLACE_ORGANIZATION_ID,
    project: MARKETPLACE_ORGANIZATION_ID,
    // an SBS build's root is a Block snapshot, shown without size or name, as production does
    root_volume:
      type === 'instance_sbs'
        ? { volume_type: 'sbs_snapshot', id: stableId(`${id}/root`), size: 0, name: '' }
        : { id: stableId(`${id}/root`), name: os.name, volume_type: 'l_ssd', size: IMAGE_ROOT_SIZE },
    extra_volumes: {},
    public: true,
    arch,
    creation_date: date,
    modification_date: date,
    default_bootscript: null,
    from_server: '',
    state: 'available',
    tags: [],
    zone,
  };
}

/** Publishes every OS image in every zone: an Instance image plus its Marketplace local image. */
export function seedPublicImages(state: ScalewayState): void {
  for (const zone of ZONES) {
    for (const os of OS_IMAGES) {
      for (const { type, arch } of builds(os)) {
        const id = stableId(`image/${zone}/${os.label}/${type}/${arch}`);
        state.images.set(id, publicImage(id, os, zone, type, arch));
        state.localImages.set(id, { id, arch, zone, compatible_commercial_types: compatibleTypes(type, arch), label: os.label, type });
      }
    }
  }
}

/** The zone-local build of a label for an architecture and root volume kind, if any. */
export function findLocalImage(state: ScalewayState, zone: string, label: string, arch: Arch, type: LocalImageType): LocalImage | undefined {
  for (const image of state.localImages.values()) {
    if (image.zone === zone && image.label === label && image.arch === arch && image.type === type) return image;
  }
  return undefined;
}

/** Id of the Marketplace image behind a label (its local images are the zone builds). */
const marketplaceImageId = (label: string) => stableId(`marketplace/${label}`);

function marketplaceImage(os: OsImage): MarketplaceImage {
  const date = blockDate(Date.parse(os.released));
  return {
    id: marketplaceImageId(os.label),
    name: os.name,
    description: `${os.name}, maintained by Scaleway.`,
    logo: `https://marketplace-logos.s3.nl-ams.scw.cloud/${os.label}.png`,
    categories: [os.category],
    created_at: date,
    updated_at: date,
    valid_until: null,
    label: os.label,
  };
}

const LOCAL_IMAGE_ORDERS: Record<string, (a: LocalImage, b: LocalImage) => number> = {
  type_asc: (a, b) => a.type.localeCompare(b.type),
  type_desc: (a, b) => b.type.localeCompare(a.type),
};

const queryString = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

export function marketplaceRoutes(state: ScalewayState): Router {
  const router = Router();

  router.get('/local-images', (req, res) => {
    const page = standardPage(req);
    const filters = { zone: req.query.zone, label: req.query.image_label, type: req.query.type, arch: req.query.arch };
    const imageId = queryString(req.query.image_id);
    const matching = [...state.localImages.values()].filter(
      (image) =>
        (!filters.zone || image.zone === filters.zone) &&
        (!filters.label || image.label === filters.label) &&
        (!filters.type || image.type === filters.type) &&
        (!filters.arch || image.arch === filters.arch) &&
        (!imageId || marketplaceImageId(image.label) === imageId),
    );
    matching.sort(LOCAL_IMAGE_ORDERS[queryString(req.query.order_by) ?? 'type_asc'] ?? LOCAL_IMAGE_ORDERS.type_asc);
    replyJson(res, 200, { local_images: itemsOf(matching, page), total_count: matching.length });
  });

  router.get('/local-images/:id', (req, res) => {
    const image = state.localImages.get(req.params.id);
    if (!image) throw notFound('local_image', req.params.id);
    replyJson(res, 200, image);
  });

  router.get('/images', (req, res) => {
    const page = standardPage(req);
    const category = queryString(req.query.category);
    const images = OS_IMAGES.filter((os) => !category || os.category === category).map(marketplaceImage);
    replyJson(res, 200, { images: itemsOf(images, page), total_count: images.length });
  });

  router.get('/images/:id', (req, res) => {
    const os = OS_IMAGES.find((candidate) => marketplaceImageId(candidate.label) === req.params.id);
    if (!os) throw notFound('image', req.params.id);
    replyJson(res, 200, marketplaceImage(os));
  });

  return router;
}
