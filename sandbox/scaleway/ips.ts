/**
 * Flexible IPs (`/ips`): routed IPv4 addresses and IPv6 prefixes, reserved per project, attached
 * to a server with `PATCH /ips/{ip} {server: id}` and detached with `{server: null}`. Every path
 * accepts the IP's id or its address.
 */
import { Router, type Request } from 'express';
import { IP_TYPES, type Ip, type IpType, type ServerIp } from '../../providers/scaleway/wire.js';
import { ZONE_NETWORKS } from './catalogue.js';
import { checkQuota, ownerOf, type Owner, type ScalewayContext } from './context.js';
import { notFound } from './errors.js';
import { newId } from './ids.js';
import { replyInstanceList } from './pagination.js';
import { replyJson, replyNoContent } from './reply.js';
import { instanceFilters, queryParam, zoneOf } from './request.js';
import type { IpRecord, ScalewayState, ServerRecord } from './state.js';
import { BodyReader } from './validation.js';

/** The n-th address of a zone: a host of the zone's IPv4 /16, or a /64 of its IPv6 /48. */
function allocateAddress(state: ScalewayState, zone: string, type: IpType): { address: string; prefix: string | null } {
  const n = state.next(`ip:${zone}:${type}`);
  const network = ZONE_NETWORKS[zone];
  if (type === 'routed_ipv4') return { address: `${network.ipv4}.${Math.floor(n / 254) % 256}.${(n % 254) + 1}`, prefix: null };
  const subnet = `${network.ipv6}:${n.toString(16)}`;
  return { address: `${subnet}::1`, prefix: `${subnet}::/64` };
}

export function reserveIp(state: ScalewayState, zone: string, type: IpType, owner: Owner, options: { tags?: string[]; dynamic?: boolean } = {}): IpRecord {
  const id = newId();
  const ip: IpRecord = {
    id,
    ...allocateAddress(state, zone, type),
    reverse: null,
    server_id: null,
    organization: owner.organization,
    project: owner.project,
    zone,
    type,
    tags: options.tags ?? [],
    ipam_id: id,
    dynamic: options.dynamic ?? false,
    provisioning_mode: 'manual',
  };
  state.ips.set(id, ip);
  return ip;
}

/** An IP by id or by address, in a zone. */
export function findIp(state: ScalewayState, zone: string, idOrAddress: string): IpRecord {
  const byId = state.ips.get(idOrAddress);
  if (byId?.zone === zone) return byId;
  for (const ip of state.ips.values()) if (ip.zone === zone && ip.address === idOrAddress) return ip;
  throw notFound('instance_ip', idOrAddress);
}

export function ipView(state: ScalewayState, ip: IpRecord): Ip {
  const { server_id: serverId, dynamic: _dynamic, provisioning_mode: _mode, ...rest } = ip;
  const server = serverId ? state.servers.get(serverId) : undefined;
  return { ...rest, tags: [...ip.tags], server: server ? { id: server.id, name: server.name } : null, state: server ? 'attached' : 'detached' };
}

/** The IP as a server shows it. */
export function serverIpView(ip: IpRecord): ServerIp {
  const v4 = ip.type === 'routed_ipv4';
  return {
    id: ip.id,
    address: ip.address,
    dynamic: ip.dynamic,
    gateway: v4 ? '62.210.0.1' : 'fe80::ffff:ffff:ffff:ffff',
    netmask: v4 ? '32' : '64',
    family: v4 ? 'inet' : 'inet6',
    provisioning_mode: ip.provisioning_mode,
    tags: [...ip.tags],
    state: 'attached',
    ipam_id: ip.ipam_id,
  };
}

/**
 * Attaches an IP to a server, moving it from another server if needed. A server's first IPv4 is
 * configured by DHCP, the next ones manually, IPv6 by SLAAC (as production reports them).
 */
export function attachIp(state: ScalewayState, ip: IpRecord, server: ServerRecord): void {
  if (ip.server_id === server.id) return;
  unlink(state, ip);
  const hasIpv4 = server.ip_ids.some((id) => state.ips.get(id)?.type === 'routed_ipv4');
  ip.provisioning_mode = ip.type === 'routed_ipv6' ? 'slaac' : hasIpv4 ? 'manual' : 'dhcp';
  ip.server_id = server.id;
  server.ip_ids.push(ip.id);
}

function unlink(state: ScalewayState, ip: IpRecord): void {
  const server = ip.server_id ? state.servers.get(ip.server_id) : undefined;
  if (server) server.ip_ids = server.ip_ids.filter((id) => id !== ip.id);
  ip.server_id = null;
}

/** Detaches an IP from its server; a dynamic IP is released with it. */
export function detachIp(state: ScalewayState, ip: IpRecord): void {
  unlink(state, ip);
  if (ip.dynamic) state.ips.delete(ip.id);
}

/** Detaches every IP of a server. */
export function detachServerIps(state: ScalewayState, server: ServerRecord): void {
  for (const id of [...server.ip_ids]) detachIp(state, state.ips.get(id)!);
}

export function ipsRoutes(ctx: ScalewayContext): Router {
  const { state } = ctx;
  const router = Router({ mergeParams: true });
  const target = (req: Request) => findIp(state, zoneOf(req), req.params.ip);
  const serverOf = (req: Request, id: string) => state.find(state.servers, zoneOf(req), id, 'instance_server');

  router.get('/ips', (req, res) => {
    const owned = instanceFilters<IpRecord>(req, (ip) => ip.address);
    const type = queryParam(req, 'type');
    const ips = state.inZone(state.ips, zoneOf(req)).filter((ip) => owned(ip) && (!type || ip.type === type));
    replyInstanceList(req, res, 'ips', ips, (ip) => ipView(state, ip));
  });

  router.post('/ips', (req, res) => {
    const body = BodyReader.instance(req.body);
    const owner = ownerOf(ctx, { project: body.string('project'), organization: body.string('organization') });
    const tags = body.strings('tags');
    const serverId = body.string('server');
    const type = body.oneOf('type', IP_TYPES) ?? 'routed_ipv4';
    body.finish();
    const server = serverId ? serverOf(req, serverId) : undefined;
    checkQuota(ctx, 'ips', owner.project);
    const ip = reserveIp(state, zoneOf(req), type, owner, { tags });
    if (server) attachIp(state, ip, server);
    replyJson(res, 201, { ip: ipView(state, ip) });
  });

  router.get('/ips/:ip', (req, res) => {
    replyJson(res, 200, { ip: ipView(state, target(req)) });
  });

  router.patch('/ips/:ip', (req, res) => {
    const ip = target(req);
    const body = BodyReader.instance(req.body);
    const reverse = body.nullableString('reverse');
    const tags = body.strings('tags');
    body.oneOf('type', IP_TYPES); // accepted for compatibility, without effect
    const serverId = body.nullableString('server');
    body.finish();
    if (serverId) attachIp(state, ip, serverOf(req, serverId));
    if (serverId === null) detachIp(state, ip);
    if (reverse !== undefined) ip.reverse = reverse;
    ip.tags = tags ?? ip.tags;
    replyJson(res, 200, { ip: ipView(state, ip) });
  });

  router.delete('/ips/:ip', (req, res) => {
    const ip = target(req);
    detachIp(state, ip);
    state.ips.delete(ip.id);
    replyNoContent(res);
  });

  return router;
}
