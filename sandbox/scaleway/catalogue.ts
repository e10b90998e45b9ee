/**
 * Seed data of the Scaleway emulator: zones, commercial types with prices and constraints, the
 * public OS images of the Marketplace, and volume types. Static: every zone sells every type.
 *
 * Commercial types are the real product names (clients hard-code them), described by family:
 * one pricing formula (euros per vCPU-hour and per GiB-hour) and one set of capabilities each,
 * so the numbers look like production without being a copy of it.
 */
import type { Arch, ServerType, ServerTypeAvailability, VolumeTypeDescription, Zone } from '../../providers/scaleway/wire.js';

export const ZONES = ['fr-par-1', 'fr-par-2', 'fr-par-3', 'nl-ams-1', 'nl-ams-2', 'nl-ams-3', 'pl-waw-1', 'pl-waw-2', 'pl-waw-3'] as const;

/** Address ranges routed IPs are drawn from, per zone (a /16 of IPv4, a /48 of IPv6). */
export const ZONE_NETWORKS: Record<Zone, { ipv4: string; ipv6: string }> = {
  'fr-par-1': { ipv4: '51.15', ipv6: '2001:bc8:1200' },
  'fr-par-2': { ipv4: '51.159', ipv6: '2001:bc8:1201' },
  'fr-par-3': { ipv4: '212.47', ipv6: '2001:bc8:1202' },
  'nl-ams-1': { ipv4: '51.158', ipv6: '2001:bc8:1640' },
  'nl-ams-2': { ipv4: '163.172', ipv6: '2001:bc8:1641' },
  'nl-ams-3': { ipv4: '62.210', ipv6: '2001:bc8:1642' },
  'pl-waw-1': { ipv4: '151.115', ipv6: '2001:bc8:1820' },
  'pl-waw-2': { ipv4: '195.154', ipv6: '2001:bc8:1821' },
  'pl-waw-3': { ipv4: '51.75', ipv6: '2001:bc8:1822' },
};

/** The sandbox account. As in production, the default project shares the organization's id. */
export const DEFAULT_ORGANIZATION_ID = '0c5f7a3e-2b1d-4e8f-9a6c-3d7e1f0b2a94';
export const DEFAULT_PROJECT_ID = DEFAULT_ORGANIZATION_ID;
/** Owner of the public Marketplace images. */
export const MARKETPLACE_ORGANIZATION_ID = 'a8b6d0f2-7c41-4e3a-b5d9-61f0e2c4a7b8';

export const GB = 1_000_000_000;
const GIB = 1024 ** 3;
const MB_PER_S = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Commercial types

interface TypeSize {
  name: string;
  ncpus: number;
  ramGiB: number;
  /** Local storage of the type, in GB (types of families with `local`). */
  localGb?: number;
  gpus?: number;
  availability?: ServerTypeAvailability;
}

interface Family {
  arch: Arch;
  /** Euros per hour for one vCPU and for one GiB of RAM. */
  rates: [perCpu: number, perGiB: number];
  /** Internet bandwidth per vCPU, Mbit/s. */
  mbpsPerCpu: number;
  /** Block storage bandwidth per vCPU, MiB/s. */
  blockMiBpsPerCpu: number;
  /** Local SSD (`l_ssd`) volumes are available, hot-snapshottable. */
  local?: boolean;
  /** Scratch storage per vCPU, GB (capped at 1280 GB, in 1 to 8 volumes). */
  scratchGbPerCpu?: number;
  endOfService?: boolean;
  gpu?: { manufacturer: string; name: string; memoryGiB: number };
  sizes: TypeSize[];
}

/** `[ncpus, ramGiB]` pairs named by a pattern, e.g. `POP2-4C-16G`. */
const sized = (name: (cpus: number, ram: number) => string, pairs: Array<[number, number]>, extra: Record<string, Partial<TypeSize>> = {}): TypeSize[] =>
  pairs.map(([ncpus, ramGiB]) => ({ name: name(ncpus, ramGiB), ncpus, ramGiB, ...extra[name(ncpus, ramGiB)] }));

const FAMILIES: Family[] = [
  {
    arch: 'x86_64', rates: [0.0032, 0.0021], mbpsPerCpu: 100, blockMiBpsPerCpu: 50, local: true,
    sizes: [
      { name: 'DEV1-S', ncpus: 2, ramGiB: 2, localGb: 20 },
      { name: 'DEV1-M', ncpus: 3, ramGiB: 4, localGb: 40 },
      { name: 'DEV1-L', ncpus: 4, ramGiB: 8, localGb: 80 },
      { name: 'DEV1-XL', ncpus: 4, ramGiB: 12, localGb: 120 },
    ],
  },
  {
    arch: 'x86_64', rates: [0.0105, 0.0033], mbpsPerCpu: 150, blockMiBpsPerCpu: 75, local: true,
    sizes: [
      { name: 'GP1-XS', ncpus: 4, ramGiB: 16, localGb: 150 },
      { name: 'GP1-S', ncpus: 8, ramGiB: 32, localGb: 300 },
      { name: 'GP1-M', ncpus: 16, ramGiB: 64, localGb: 600 },
      { name: 'GP1-L', ncpus: 32, ramGiB: 128, localGb: 600 },
      { name: 'GP1-XL', ncpus: 48, ramGiB: 256, localGb: 600, availability: 'scarce' },
    ],
  },
  {
    arch: 'x86_64', rates: [0.0024, 0.0022], mbpsPerCpu: 100, blockMiBpsPerCpu: 10, local: true, endOfService: true,
    sizes: [
      { name: 'START1-XS', ncpus: 1, ramGiB: 1, localGb: 25 },
      { name: 'START1-S', ncpus: 2, ramGiB: 2, localGb: 50 },
      { name: 'START1-M', ncpus: 4, ramGiB: 4, localGb: 100 },
      { name: 'START1-L', ncpus: 8, ramGiB: 8, localGb: 200 },
    ],
  },
  {
    arch: 'x86_64', rates: [0.0004, 0.0002], mbpsPerCpu: 100, blockMiBpsPerCpu: 50, local: true,
    sizes: [{ name: 'STARDUST1-S', ncpus: 1, ramGiB: 1, localGb: 10 }],
  },
  {
    arch: 'x86_64', rates: [0.0072, 0.0035], mbpsPerCpu: 100, blockMiBpsPerCpu: 40,
    sizes: [
      { name: 'PLAY2-PICO', ncpus: 1, ramGiB: 2 },
      { name: 'PLAY2-NANO', ncpus: 2, ramGiB: 4 },
      { name: 'PLAY2-MICRO', ncpus: 4, ramGiB: 8 },
    ],
  },
  {
    arch: 'x86_64', rates: [0.0182, 0.0025], mbpsPerCpu: 175, blockMiBpsPerCpu: 62,
    sizes: [
      { name: 'PRO2-XXS', ncpus: 2, ramGiB: 8 },
      { name: 'PRO2-XS', ncpus: 4, ramGiB: 16 },
      { name: 'PRO2-S', ncpus: 8, ramGiB: 32 },
      { name: 'PRO2-M', ncpus: 16, ramGiB: 64 },
      { name: 'PRO2-L', ncpus: 32, ramGiB: 128 },
    ],
  },
  {
    arch: 'x86_64', rates: [0.0164, 0.0051], mbpsPerCpu: 200, blockMiBpsPerCpu: 100,
    sizes: sized((c, r) => `POP2-${c}C-${r}G`, [[2, 8], [4, 16], [6, 24], [8, 32], [12, 48], [16, 64], [24, 96], [32, 128], [48, 192], [64, 256]]),
  },
  {
    arch: 'x86_64', rates: [0.0164, 0.0051], mbpsPerCpu: 200, blockMiBpsPerCpu: 100,
    sizes: sized((c, r) => `POP2-HC-${c}C-${r}G`, [[2, 4], [4, 8], [6, 12], [8, 16], [12, 24], [16, 32], [24, 48], [32, 64], [48, 96], [64, 128]]),
  },
  {
    arch: 'x86_64', rates: [0.0164, 0.0046], mbpsPerCpu: 200, blockMiBpsPerCpu: 100,
    sizes: sized((c, r) => `POP2-HM-${c}C-${r}G`, [[2, 16], [4, 32], [6, 48], [8, 64], [12, 96], [16, 128], [24, 192], [32, 256], [48, 384], [64, 512]]),
  },
  {
    arch: 'x86_64', rates: [0.0960, 0.0140], mbpsPerCpu: 1500, blockMiBpsPerCpu: 100,
    sizes: [
      { name: 'POP2-HN-3', ncpus: 2, ramGiB: 4 },
      { name: 'POP2-HN-5', ncpus: 4, ramGiB: 8 },
      { name: 'POP2-HN-10', ncpus: 4, ramGiB: 8 },
    ],
  },
  {
    arch: 'arm64', rates: [0.0084, 0.0015], mbpsPerCpu: 100, blockMiBpsPerCpu: 40,
    sizes: sized(
      (c, r) => `BASIC2-A${c}C-${r}G`,
      [[2, 4], [2, 8], [4, 8], [4, 16], [6, 12], [6, 24], [8, 16], [8, 32], [12, 24], [12, 48], [16, 32], [16, 64]],
      { 'BASIC2-A12C-24G': { availability: 'scarce' }, 'BASIC2-A16C-64G': { availability: 'scarce' } },
    ),
  },
  {
    arch: 'arm64', rates: [0.0180, 0.0020], mbpsPerCpu: 200, blockMiBpsPerCpu: 80,
    sizes: sized((c, r) => `STANDARD2-A${c}C-${r}G`, [[2, 8], [4, 16], [6, 24], [8, 32], [12, 48], [16, 64], [24, 96], [32, 128], [48, 192], [64, 256]]),
  },
  {
    arch: 'arm64', rates: [0.0160, 0.0022], mbpsPerCpu: 150, blockMiBpsPerCpu: 60,
    sizes: sized((c, r) => `COPARM1-${c}C-${r}G`, [[2, 8], [4, 16], [8, 32], [16, 64], [32, 128]]),
  },
  {
    arch: 'x86_64', rates: [0.0150, 0.0020], mbpsPerCpu: 175, blockMiBpsPerCpu: 62,
    sizes: sized((c, r) => `BASIC3-X${c}C-${r}G`, [[2, 4], [2, 8], [4, 8], [4, 16], [6, 12], [6, 24], [8, 16], [8, 32], [12, 24], [12, 48], [16, 32], [16, 64]]),
  },
  {
    arch: 'x86_64', rates: [0.0290, 0.0029], mbpsPerCpu: 250, blockMiBpsPerCpu: 30, scratchGbPerCpu: 20,
    sizes: sized((c, r) => `STANDARD3-X${c}C-${r}G`, [[2, 8], [4, 16], [6, 24], [8, 32], [12, 48], [16, 64], [24, 96], [32, 128], [48, 192], [64, 256]]),
  },
  {
    arch: 'x86_64', rates: [0.0290, 0.0049], mbpsPerCpu: 250, blockMiBpsPerCpu: 30, scratchGbPerCpu: 20,
    sizes: sized((c, r) => `MEMORY3-X${c}C-${r}G`, [[2, 16], [4, 32], [6, 48], [8, 64], [12, 96], [16, 128], [24, 192], [32, 256], [48, 384]]),
  },
  {
    arch: 'x86_64', rates: [0.0255, 0.0019], mbpsPerCpu: 250, blockMiBpsPerCpu: 30, scratchGbPerCpu: 20,
    sizes: sized(
      (c, r) => `COMPUTE3-X${c}C-${r}G`,
      [[2, 4], [4, 8], [6, 12], [8, 16], [12, 24], [16, 32], [24, 48], [32, 64], [48, 96], [64, 128], [96, 192]],
      { 'COMPUTE3-X48C-96G': { availability: 'scarce' }, 'COMPUTE3-X64C-128G': { availability: 'shortage' }, 'COMPUTE3-X96C-192G': { availability: 'shortage' } },
    ),
  },
  {
    arch: 'x86_64', rates: [0.0650, 0.0056], mbpsPerCpu: 312, blockMiBpsPerCpu: 125, gpu: { manufacturer: 'NVIDIA', name: 'L4', memoryGiB: 24 },
    sizes: [1, 2, 4, 8].map((gpus) => ({ name: `L4-${gpus}-24G`, ncpus: 8 * gpus, ramGiB: 48 * gpus, gpus, ...(gpus === 8 && { availability: 'shortage' as const }) })),
  },
  {
    arch: 'x86_64', rates: [0.0900, 0.0076], mbpsPerCpu: 200, blockMiBpsPerCpu: 200, local: true, gpu: { manufacturer: 'NVIDIA', name: 'P100', memoryGiB: 16 },
    sizes: [{ name: 'RENDER-S', ncpus: 10, ramGiB: 42, localGb: 400, gpus: 1, availability: 'scarce' }],
  },
];

const round = (value: number, digits: number) => Number(value.toFixed(digits));

function scratchVolumes(ncpus: number): number {
  return ncpus >= 48 ? 8 : ncpus >= 16 ? 4 : ncpus >= 4 ? 2 : 1;
}

function serverType(family: Family, size: TypeSize): ServerType {
  const hourly = round((family.rates[0] * size.ncpus + family.rates[1] * size.ramGiB) * (size.gpus ?? 1), 4);
  const bandwidth = family.mbpsPerCpu * size.ncpus * 1_000_000;
  const scratch = family.scratchGbPerCpu ? Math.min(1280, family.scratchGbPerCpu * size.ncpus) * GB : 0;
  return {
    alt_names: [],
    arch: family.arch,
    ncpus: size.ncpus,
    ram: size.ramGiB * GIB,
    gpu: size.gpus ?? 0,
    gpu_info: family.gpu ? { gpu_manufacturer: family.gpu.manufacturer, gpu_name: family.gpu.name, gpu_memory: family.gpu.memoryGiB * GIB } : null,
    mig_profile: null,
    volumes_constraint: { min_size: 0, max_size: (size.localGb ?? 0) * GB },
    per_volume_constraint: { l_ssd: family.local ? { min_size: 1 * GB, max_size: 800 * GB } : { min_size: 0, max_size: 0 } },
    scratch_storage_max_size: scratch,
    scratch_storage_max_volumes_count: scratch ? scratchVolumes(size.ncpus) : 0,
    monthly_price: round(hourly * 730, 3),
    hourly_price: hourly,
    capabilities: {
      boot_types: ['local', 'rescue'],
      placement_groups: true,
      block_storage: true,
      hot_snapshots_local_volume: family.local ?? false,
      private_network: 8,
      max_file_systems: family.scratchGbPerCpu ? scratchVolumes(size.ncpus) : 0,
    },
    network: {
      ipv6_support: true,
      sum_internal_bandwidth: bandwidth,
      sum_internet_bandwidth: bandwidth,
      interfaces: [{ internal_bandwidth: bandwidth, internet_bandwidth: bandwidth }],
    },
    block_bandwidth: family.blockMiBpsPerCpu * size.ncpus * MB_PER_S,
    end_of_service: family.endOfService ?? false,
  };
}

/** One entry per commercial type, in name order (the order of `GET /products/servers`). */
const byName = <T>(entry: (family: Family, size: TypeSize) => T): Record<string, T> =>
  Object.fromEntries(
    FAMILIES.flatMap((family) => family.sizes.map((size) => [size.name, entry(family, size)] as const)).sort(([a], [b]) => (a < b ? -1 : 1)),
  );

export const SERVER_TYPES: Record<string, ServerType> = byName(serverType);

export const SERVER_TYPE_AVAILABILITY: Record<string, ServerTypeAvailability> = byName((_family, size) => size.availability ?? 'available');

/** True for types with local SSD storage: the ones `instance_local` images boot on. */
export const hasLocalStorage = (type: ServerType) => type.volumes_constraint.max_size > 0;

// ---------------------------------------------------------------------------------------------
// Public OS images

export interface OsImage {
  label: string;
  name: string;
  /** arm64 builds exist (x86_64 ones always do). */
  arm: boolean;
  released: string;
  category: string;
}

export const OS_IMAGES: OsImage[] = [
  { label: 'ubuntu_noble', name: 'Ubuntu 24.04 Noble Numbat', arm: true, released: '2024-04-25', category: 'distribution' },
  { label: 'ubuntu_jammy', name: 'Ubuntu 22.04 Jammy Jellyfish', arm: true, released: '2022-04-21', category: 'distribution' },
  { label: 'ubuntu_focal', name: 'Ubuntu 20.04 Focal Fossa', arm: true, released: '2020-04-23', category: 'distribution' },
  { label: 'debian_bookworm', name: 'Debian Bookworm', arm: true, released: '2023-06-10', category: 'distribution' },
  { label: 'debian_bullseye', name: 'Debian Bullseye', arm: true, released: '2021-08-14', category: 'distribution' },
  { label: 'rockylinux_9', name: 'Rocky Linux 9', arm: false, released: '2022-07-14', category: 'distribution' },
  { label: 'almalinux_9', name: 'AlmaLinux 9', arm: false, released: '2022-05-26', category: 'distribution' },
  { label: 'centos_stream_9', name: 'CentOS Stream 9', arm: false, released: '2021-12-03', category: 'distribution' },
  { label: 'fedora_41', name: 'Fedora 41', arm: true, released: '2024-10-29', category: 'distribution' },
  { label: 'docker', name: 'Docker', arm: false, released: '2024-05-02', category: 'instantapp' },
];

/** Size of an image's root snapshot: the default size of the root volume it creates. */
export const IMAGE_ROOT_SIZE = 10 * GB;

// ---------------------------------------------------------------------------------------------
// Volume types

/** `GET /products/volumes`: Instance-managed volume types and their size bounds. */
export const INSTANCE_VOLUME_TYPES: Record<string, VolumeTypeDescription> = {
  l_ssd: { display_name: 'Local SSD', capabilities: { snapshot: true }, constraints: { min: 1 * GB, max: 800 * GB } },
  scratch: { display_name: 'Scratch', capabilities: { snapshot: false }, constraints: { min: 1 * GB, max: 1280 * GB } },
  sbs_volume: { display_name: 'Block Storage', capabilities: { snapshot: true }, constraints: { min: 1 * GB, max: 10_000 * GB } },
};

/** Block Storage classes: `perf_iops` selects one, its `type` names it. */
export const BLOCK_VOLUME_CLASSES = [
  { perfIops: 5000, type: 'sbs_5k', nanosPerGbHour: 117_000 },
  { perfIops: 15000, type: 'sbs_15k', nanosPerGbHour: 161_000 },
] as const;

export const BLOCK_SIZE_LIMITS = { min: 1 * GB, max: 10_000 * GB };
export const DEFAULT_BLOCK_IOPS = 5000;
