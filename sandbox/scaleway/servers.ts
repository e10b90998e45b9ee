/**
 * Servers (`/servers`): create, list with production's filters, read, update, delete. A new
 * server is `stopped`; actions (`server-actions.ts`) move it.
 */
import { Router, type Request } from 'express';
import {
  BOOT_TYPES,
  type CreateServerRequest,
  type Image,
  type ServerType,
  type UpdateServerRequest,
} from '../../providers/scaleway/wire.js';
import { SERVER_TYPE_AVAILABILITY, SERVER_TYPES } from './catalogue.js';
import { checkQuota, ownerOf, type ScalewayContext } from './context.js';
import { invalidRequest, notFound, outOfStock, resourceLocked } from './errors.js';
import { macAddress, newId } from './ids.js';
import { attachIp, detachIp, findIp, reserveIp } from './ips.js';
import { findLocalImage } from './marketplace.js';
import { replyInstanceList } from './pagination.js';
import { replyJson, replyNoContent } from './reply.js';
import { instanceFilters, queryBoolean, queryList, queryParam, zoneOf } from './request.js';
import { defaultSecurityGroup } from './security-groups.js';
import { removeServer } from './server-lifecycle.js';
import { serverView } from './server-view.js';
import { attachPlanned, planCreateVolumes, readVolumeTemplates, replaceVolumes } from './server-volumes.js';
import type { IpRecord, ServerRecord } from './state.js';
import { instanceDate } from './time.js';
import { BodyReader } from './validation.js';

/** A commercial type by name, or the legacy 400 production answers for an unknown one. */
export function serverType(name: string): ServerType {
  const type = SERVER_TYPES[name];
  if (!type) throw invalidRequest('Validation Error', { commercial_type: [`"${name}" is not a valid commercial type`] });
  return type;
}

/** The image of a create request: an id of the zone, or a Marketplace label resolved for the type. */
function resolveImage(ctx: ScalewayContext, zone: string, request: CreateServerRequest, type: ServerType): Image | undefined {
  const reference = request.image;
  if (!reference) return undefined;
  const byId = ctx.state.images.get(reference);
  if (byId?.zone === zone) return byId;
  // a label boots from a local SSD if the root volume asks for one, from SBS otherwise
  const kind = request.volumes?.[0]?.volume_type === 'l_ssd' ? 'instance_local' : 'instance_sbs';
  const build = findLocalImage(ctx.state, zone, reference, type.arch, kind);
  if (!build) throw notFound('instance_image', reference);
  return ctx.state.images.get(build.id);
}

/** The reserved IPs a create request names: they must exist and be free. */
function requestedIps(ctx: ScalewayContext, zone: string, request: CreateServerRequest): IpRecord[] {
  const references = [...(request.public_ips ?? []), ...(request.public_ip ? [request.public_ip] : [])];
  return references.map((reference) => {
    const ip = findIp(ctx.state, zone, reference);
    if (ip.server_id) throw invalidRequest(`IP ${ip.address} is already attached to a server`);
    return ip;
  });
}

/** Creates a server, `stopped`, with its root volume from the image and the requested volumes and IPs. */
export function createServer(ctx: ScalewayContext, zone: string, request: CreateServerRequest): ServerRecord {
  const { state } = ctx;
  const typeName = request.commercial_type;
  const type = serverType(typeName);
  if (SERVER_TYPE_AVAILABILITY[typeName] === 'shortage') throw outOfStock('server');
  const owner = ownerOf(ctx, request);
  checkQuota(ctx, 'servers', owner.project);
  const image = resolveImage(ctx, zone, request, type);
  if (image && image.arch !== type.arch) throw invalidRequest(`image ${image.id} is ${image.arch}, ${typeName} is ${type.arch}`);
  const group = request.security_group ? state.find(state.securityGroups, zone, request.security_group, 'instance_security_group') : undefined;
  // placement groups are not emulated: every id is unknown
  if (request.placement_group) throw notFound('instance_placement_group', request.placement_group);
  const ips = requestedIps(ctx, zone, request);
  const volumes = planCreateVolumes(ctx, zone, image, request.volumes && Object.values(request.volumes), type, typeName);

  const id = newId();
  const date = instanceDate();
  const server: ServerRecord = {
    id,
    name: request.name ?? `scw-${id.slice(0, 8)}`,
    arch: type.arch,
    commercial_type: typeName,
    boot_type: request.boot_type ?? 'local',
    organization: owner.organization,
    project: owner.project,
    // production embeds the image as it was when the server was created
    image: image ? structuredClone(image) : null,
    tags: request.tags ?? [],
    state: 'stopped',
    protected: request.protected ?? false,
    state_detail: '',
    mac_address: macAddress(state.next('mac')),
    routed_ip_enabled: true,
    ipv6: null,
    extra_networks: [],
    dynamic_ip_required: request.dynamic_ip_required ?? true,
    enable_ipv6: request.enable_ipv6 ?? false,
    private_ip: null,
    creation_date: date,
    modification_date: date,
    bootscript: null,
    location: null,
    maintenances: [],
    placement_group: null,
    private_nics: [],
    zone,
    filesystems: [],
    end_of_service: type.end_of_service,
    dns: `${id}.pub.instances.scw.cloud`,
    admin_password_encryption_ssh_key_id: request.admin_password_encryption_ssh_key_id ?? null,
    volume_refs: [],
    ip_ids: [],
    security_group_id: (group ?? defaultSecurityGroup(state, zone, owner)).id,
    backup_in_progress: false,
    user_data: new Map(),
  };
  state.servers.set(id, server);
  server.volume_refs = attachPlanned(ctx, server, volumes);
  for (const ip of ips) attachIp(state, ip, server);
  // a dynamic IP is allocated when the server has no reserved one
  if (server.dynamic_ip_required && ips.length === 0) attachIp(state, reserveIp(state, zone, 'routed_ipv4', owner, { dynamic: true }), server);
  return server;
}

function readCreateServer(body: BodyReader): CreateServerRequest {
  const request: CreateServerRequest = {
    name: body.string('name'),
    commercial_type: body.requiredString('commercial_type'),
    image: body.string('image'),
    volumes: readVolumeTemplates(body),
    dynamic_ip_required: body.boolean('dynamic_ip_required'),
    routed_ip_enabled: body.boolean('routed_ip_enabled'),
    enable_ipv6: body.boolean('enable_ipv6'),
    public_ip: body.string('public_ip'),
    public_ips: body.strings('public_ips'),
    boot_type: body.oneOf('boot_type', BOOT_TYPES),
    project: body.string('project'),
    organization: body.string('organization'),
    tags: body.strings('tags'),
    security_group: body.string('security_group'),
    placement_group: body.string('placement_group'),
    admin_password_encryption_ssh_key_id: body.string('admin_password_encryption_ssh_key_id'),
    protected: body.boolean('protected'),
  };
  if (request.routed_ip_enabled === false) body.reject('routed_ip_enabled', 'servers are always in routed IP mode');
  body.finish();
  return request;
}

function readUpdateServer(body: BodyReader): UpdateServerRequest {
  const group = body.object('security_group');
  const request: UpdateServerRequest = {
    name: body.string('name'),
    boot_type: body.oneOf('boot_type', BOOT_TYPES),
    tags: body.strings('tags'),
    volumes: readVolumeTemplates(body),
    dynamic_ip_required: body.boolean('dynamic_ip_required'),
    routed_ip_enabled: body.boolean('routed_ip_enabled'),
    public_ips: body.strings('public_ips'),
    enable_ipv6: body.boolean('enable_ipv6'),
    protected: body.boolean('protected'),
    security_group: group && { id: group.requiredString('id') },
    placement_group: body.nullableString('placement_group'),
    commercial_type: body.string('commercial_type'),
    admin_password_encryption_ssh_key_id: body.string('admin_password_encryption_ssh_key_id'),
  };
  if (request.routed_ip_enabled === false) body.reject('routed_ip_enabled', 'routed IP mode cannot be disabled');
  body.finish();
  return request;
}

/** Applies an update; everything is checked before anything changes. */
function updateServer(ctx: ScalewayContext, server: ServerRecord, request: UpdateServerRequest): void {
  const { state } = ctx;
  const typeName = request.commercial_type ?? server.commercial_type;
  const type = serverType(typeName);
  if (typeName !== server.commercial_type) {
    if (server.state !== 'stopped') throw invalidRequest('server should be stopped to change its commercial type');
    if (type.arch !== server.arch) throw invalidRequest(`${typeName} is ${type.arch}, the server is ${server.arch}`);
  }
  const group = request.security_group && state.find(state.securityGroups, server.zone, request.security_group.id, 'instance_security_group');
  if (request.placement_group) throw notFound('instance_placement_group', request.placement_group);
  const ips = request.public_ips?.map((reference) => findIp(state, server.zone, reference));
  if (ips?.some((ip) => ip.server_id && ip.server_id !== server.id)) throw invalidRequest('an IP is already attached to another server');

  if (request.volumes) replaceVolumes(ctx, server, Object.values(request.volumes), type);
  if (ips) {
    for (const id of server.ip_ids.filter((id) => !ips.some((ip) => ip.id === id))) detachIp(state, state.ips.get(id)!);
    for (const ip of ips) attachIp(state, ip, server);
  }
  server.commercial_type = typeName;
  server.end_of_service = type.end_of_service;
  server.name = request.name ?? server.name;
  server.tags = request.tags ?? server.tags;
  server.boot_type = request.boot_type ?? server.boot_type;
  server.dynamic_ip_required = request.dynamic_ip_required ?? server.dynamic_ip_required;
  server.enable_ipv6 = request.enable_ipv6 ?? server.enable_ipv6;
  server.protected = request.protected ?? server.protected;
  server.security_group_id = group ? group.id : server.security_group_id;
  server.admin_password_encryption_ssh_key_id = request.admin_password_encryption_ssh_key_id ?? server.admin_password_encryption_ssh_key_id;
  server.modification_date = instanceDate();
}

const byModification = (a: ServerRecord, b: ServerRecord) => (a.modification_date < b.modification_date ? -1 : a.modification_date > b.modification_date ? 1 : 0);

/** Servers in the requested order; records come in creation order. Production's default is newest first. */
function ordered(servers: ServerRecord[], order: string | undefined): ServerRecord[] {
  switch (order) {
    case 'creation_date_asc':
      return servers;
    case 'modification_date_asc':
      return servers.sort(byModification);
    case 'modification_date_desc':
      return servers.sort(byModification).reverse();
    default:
      return servers.reverse();
  }
}

function listServers(ctx: ScalewayContext, req: Request): ServerRecord[] {
  const { state } = ctx;
  const owned = instanceFilters<ServerRecord>(req, (server) => server.name);
  const filters = {
    state: queryParam(req, 'state'),
    commercialType: queryParam(req, 'commercial_type'),
    ids: queryList(req, 'servers'),
    withIp: queryParam(req, 'with_ip'),
    withoutIp: queryBoolean(req, 'without_ip'),
  };
  // sandbox servers have no private interface: a private network filter matches none
  if (['private_ip', 'private_network', 'private_networks', 'private_nic_mac_address'].some((name) => queryParam(req, name))) return [];
  const matching = state.inZone(state.servers, zoneOf(req)).filter(
    (server) =>
      owned(server) &&
      (!filters.state || server.state === filters.state) &&
      (!filters.commercialType || server.commercial_type === filters.commercialType) &&
      (!filters.ids || filters.ids.includes(server.id)) &&
      (!filters.withIp || server.ip_ids.some((id) => state.ips.get(id)?.address === filters.withIp)) &&
      (filters.withoutIp === undefined || filters.withoutIp === (server.ip_ids.length === 0)),
  );
  return ordered(matching, queryParam(req, 'order'));
}

export function serversRoutes(ctx: ScalewayContext): Router {
  const { state } = ctx;
  const router = Router({ mergeParams: true });
  const findServer = (req: Request) => state.find(state.servers, zoneOf(req), req.params.id, 'instance_server');
  const update = (req: Request) => {
    const server = findServer(req);
    updateServer(ctx, server, readUpdateServer(BodyReader.instance(req.body)));
    return { server: serverView(state, server) };
  };

  router.get('/servers', (req, res) => {
    replyInstanceList(req, res, 'servers', listServers(ctx, req), (server) => serverView(state, server));
  });

  router.post('/servers', (req, res) => {
    const server = createServer(ctx, zoneOf(req), readCreateServer(BodyReader.instance(req.body)));
    replyJson(res, 201, { server: serverView(state, server) });
  });

  router.get('/servers/:id', (req, res) => {
    replyJson(res, 200, { server: serverView(state, findServer(req)) });
  });

  // PATCH changes the fields it names; PUT (set) sends the whole server, read-only fields ignored
  router.patch('/servers/:id', (req, res) => replyJson(res, 200, update(req)));
  router.put('/servers/:id', (req, res) => replyJson(res, 200, update(req)));

  router.delete('/servers/:id', (req, res) => {
    const server = findServer(req);
    if (server.state === 'locked') throw resourceLocked('instance_server', server.id);
    if (server.state !== 'stopped') throw invalidRequest('server should be stopped');
    removeServer(ctx, server, { deleteLocal: false });
    replyNoContent(res);
  });

  return router;
}
