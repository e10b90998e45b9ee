/**
 * Bulk seeding for benchmarks and tests (`POST /__sandbox/seed`): servers created straight in the
 * store, through the same code as `POST /servers`, without HTTP per server. 10,000 servers with
 * volumes and IPs take well under a second.
 */
import type { RequestHandler } from 'express';
import { SERVER_STATES, type ServerState, type VolumeServerTemplate } from '../../providers/scaleway/wire.js';
import { GB, ZONES } from './catalogue.js';
import { ownerOf, type ScalewayContext } from './context.js';
import { reserveIp } from './ips.js';
import { replyJson } from './reply.js';
import { setServerState } from './server-lifecycle.js';
import { createServer } from './servers.js';
import { BodyReader } from './validation.js';

export interface SeedRequest {
  /** Default `fr-par-1`. */
  zone?: string;
  servers: number;
  /** Servers are named `<prefix>-<n>`, n zero-padded from 1. Default `seed`. */
  namePrefix?: string;
  /** SBS volumes of 10 GB besides the root volume. Default 0. */
  volumesPerServer?: number;
  /** Attach a reserved routed IPv4 to each server. Default false. */
  withIp?: boolean;
  /** A stable state to put the servers in. Default `stopped`. */
  state?: ServerState;
  /** Default `DEV1-S`. */
  commercialType?: string;
  /** An image id or Marketplace label. Default `ubuntu_jammy`. */
  image?: string;
  project?: string;
  tags?: string[];
}

export interface SeedResult {
  zone: string;
  servers: number;
  volumes: number;
  ips: number;
}

const STABLE_STATES = SERVER_STATES.filter((state) => state !== 'starting' && state !== 'stopping');

export function seedServers(ctx: ScalewayContext, request: SeedRequest): SeedResult {
  const zone = request.zone ?? 'fr-par-1';
  const owner = ownerOf(ctx, { project: request.project });
  const extraVolumes: VolumeServerTemplate[] = Array.from({ length: request.volumesPerServer ?? 0 }, () => ({ size: 10 * GB, volume_type: 'sbs_volume' }));
  const digits = String(request.servers).length;
  let image = request.image ?? 'ubuntu_jammy';
  const now = Date.now();
  for (let n = 1; n <= request.servers; n++) {
    const ip = request.withIp ? reserveIp(ctx.state, zone, 'routed_ipv4', owner) : undefined;
    const server = createServer(ctx, zone, {
      name: `${request.namePrefix ?? 'seed'}-${String(n).padStart(digits, '0')}`,
      commercial_type: request.commercialType ?? 'DEV1-S',
      image,
      project: owner.project,
      tags: request.tags,
      dynamic_ip_required: false,
      public_ips: ip && [ip.id],
      volumes: Object.fromEntries([{}, ...extraVolumes].map((template, slot) => [String(slot), template])),
    });
    // a label is resolved once: the next servers use the image it gave
    image = server.image?.id ?? image;
    if (request.state && request.state !== 'stopped') setServerState(server, request.state, now);
  }
  return { zone, servers: request.servers, volumes: request.servers * (1 + extraVolumes.length), ips: request.withIp ? request.servers : 0 };
}

export function seedRoute(ctx: ScalewayContext): RequestHandler {
  return (req, res) => {
    const body = BodyReader.standard(req.body);
    const request: SeedRequest = {
      zone: body.oneOf('zone', ZONES),
      servers: body.requiredInteger('servers', { min: 1, max: 100_000 }),
      namePrefix: body.string('namePrefix'),
      volumesPerServer: body.integer('volumesPerServer', { min: 0, max: 16 }),
      withIp: body.boolean('withIp'),
      state: body.oneOf('state', STABLE_STATES),
      commercialType: body.string('commercialType'),
      image: body.string('image'),
      project: body.string('project'),
      tags: body.strings('tags'),
    };
    body.finish();
    replyJson(res, 201, seedServers(ctx, request));
  };
}
