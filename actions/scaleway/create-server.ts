import { ActionError, defineAction, param, type ActionContext } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { ServerImage } from '../../entities/server-image.js';
import { ownerTag } from '../../entities/provider-resource.js';
import type { ScalewayApi } from '../../providers/scaleway/client.js';
import { withOwnerTag } from '../../providers/scaleway/mapping.js';
import { instance } from '../../providers/scaleway/paths.js';
import { SERVER_WAIT_MS } from '../../providers/scaleway/timeouts.js';
import type { CreateServerRequest, Server, ServerType } from '../../providers/scaleway/wire.js';
import { dryRunResult } from './dry-run.js';
import { findOrCreate } from './find-or-create.js';
import { managedOnly } from './ownership.js';
import { projectOf, scalewayOf, zoneOf } from './provider.js';
import { recordServers } from './record-servers.js';
import { bootSource, restoreBlockVolume, restoreCall, rootFromImage, type BootSource } from './server-root.js';
import { runServerTask } from './server-task.js';

/**
 * Creates the server at Scaleway, from its image or from an existing volume or snapshot, and powers it on.
 *
 * Steps: check the type is sold and in stock and the root volume (or the volume or snapshot it boots from)
 * fits its constraints → for an SBS snapshot, make it a Block volume → create, tagged with this record's
 * id → keep the Scaleway id at once → power on → wait for `running` (failing fast if it falls back) →
 * record the server with its volumes and IPs. Each step can run again after a crash: a
 * create whose answer was lost is found by its tag and adopted, never made twice; once the Scaleway id is
 * kept, a resumed job reads the server instead of checking and building the request again (the volume
 * it boots from is attached to it by then), and only waits for a boot already under way.
 */
export const createServer = defineAction({
  code: 'createServer',
  label: 'Create on Scaleway',
  entity: ScalewayServer,
  kind: 'instance',
  description: 'Creates the server at Scaleway from its image (or from an existing volume or snapshot), powers it on and waits until it runs.',
  applicable: managedOnly((server) => !server.providerSideId || 'it exists at Scaleway already'),
  confirm: (server) => `Create ${server.name} (${server.serverType}) in ${server.zone ?? 'its zone'}? Scaleway bills it from now on.`,
  params: {
    powerOn: param.boolean({ default: true, label: 'Power on' }),
    fromVolumeId: param.string({ label: 'Boot from volume', description: 'Id of a detached ServerVolume, or of a snapshot, to boot from instead of the image ("from scratch")' }),
    timeoutMinutes: param.integer({ default: SERVER_WAIT_MS / 60_000, min: 1, max: 120, label: 'Wait at most (minutes)' }),
  },
  async handler(ctx) {
    const server = ctx.record;
    const { provider, api } = await scalewayOf(ctx, server.serviceProviderId);
    const zone = zoneOf(server, provider);

    let warning: string | undefined;
    let created: Server;
    if (server.providerSideId) {
      created = await api.servers.get(zone, server.providerSideId);
    } else {
      await ctx.progress(5, `Checking ${server.serverType} in ${zone}`);
      const checked = await checkServerType(api, zone, server.serverType);
      warning = checked.warning;
      const project = projectOf(server, provider);
      const source = ctx.params.fromVolumeId ? await bootSource(ctx, checked.type, project) : undefined;
      const request = await requestFor(ctx, api, zone, checked.type, project, source);
      if (ctx.job.dryRun) {
        const create = { method: 'POST' as const, path: instance(zone, '/servers'), body: request };
        return dryRunResult(`create ${server.name}`, source?.restore ? [restoreCall(zone, source.restore), create] : [create]);
      }
      // An SBS snapshot becomes a Block volume first; the server boots from it.
      if (source?.restore) request.volumes!['0'].id = await restoreBlockVolume(ctx, api, zone, source.restore);
      created = await findOrCreateServer(ctx, api, zone, request);
      await ctx.repo(ScalewayServer).update(server.id, { providerSideId: created.id, zone, state: created.state });
      server.providerSideId = created.id;
    }
    await recordServers(ctx, server.serviceProviderId, api, [created], { ownershipOfNew: 'managed', fields: 'all' });

    if (ctx.params.powerOn && created.state !== 'running') {
      // Resumed after a crash, it may be starting already: then only the wait is left.
      await runServerTask(ctx, { api, zone, server, request: { action: 'poweron' }, expect: 'running', timeoutMs: ctx.params.timeoutMinutes * 60_000, from: 40, to: 95 });
    }
    const final = await ctx.repo(ScalewayServer).findOneByOrFail({ id: server.id });
    return {
      message: `Created ${final.name} (${final.providerSideId}) in ${zone}, ${final.state}${final.publicIp ? `, public IP ${final.publicIp}` : ''}${warning ? `. ${warning}` : ''}`,
      value: { id: final.providerSideId, state: final.state, publicIp: final.publicIp },
    };
  },
});

/** The type must be sold in the zone and not out of stock; scarce types go ahead with a warning. */
async function checkServerType(api: ScalewayApi, zone: string, name: string): Promise<{ type: ServerType; warning?: string }> {
  const [types, availability] = await Promise.all([api.products.serverTypes(zone), api.products.availability(zone)]);
  const type = types[name];
  if (!type) {
    const similar = Object.keys(types).filter((t) => t.split('-')[0] === name.split('-')[0]).slice(0, 8);
    throw new ActionError(`${name} is not sold in ${zone}${similar.length ? ` (try ${similar.join(', ')})` : ''}`, { field: 'serverType' });
  }
  if (availability[name] === 'shortage') throw new ActionError(`${name} is out of stock in ${zone} (shortage): choose another type or zone`, { field: 'serverType' });
  return { type, warning: availability[name] === 'scarce' ? `${name} is scarce in ${zone}: Scaleway may run out soon` : undefined };
}

/** The create request, its root volume from the image or from the source checked by bootSource. */
async function requestFor(ctx: ActionContext<ScalewayServer>, api: ScalewayApi, zone: string, type: ServerType, project: string | undefined, source: BootSource | undefined): Promise<CreateServerRequest> {
  const server = ctx.record;
  const request: CreateServerRequest = {
    name: server.name,
    commercial_type: server.serverType,
    project,
    tags: withOwnerTag(server.tags, server.id),
    dynamic_ip_required: server.dynamicIpRequired,
    enable_ipv6: server.enableIpv6,
    boot_type: server.bootType,
    protected: server.isProtected,
  };
  if (server.securityGroupId) {
    const group = await ctx.repo('SecurityGroup').findOneBy({ id: server.securityGroupId });
    if (!group?.providerSideId) throw new ActionError('The security group is not created at Scaleway yet', { field: 'securityGroupId' });
    request.security_group = group.providerSideId;
  }
  if (source) {
    request.volumes = { '0': { ...source.root } };
    return request;
  }
  if (!server.imageId) throw new ActionError('Choose an image, or give a volume to boot from', { field: 'imageId' });
  request.volumes = { '0': await rootFromImage(api, zone, server, type) };
  const image = await ctx.repo(ServerImage).findOneByOrFail({ id: server.imageId });
  // A labelled image is resolved to the build for this zone, type and root volume kind (SBS or local).
  request.image = image.label
    ? (await api.marketplace.localImage(zone, image.label, { commercialType: server.serverType, type: server.rootVolumeType === 'l_ssd' ? 'instance_local' : 'instance_sbs' })).id
    : image.providerSideId ?? undefined;
  return request;
}

/** Adopts the server a previous attempt created (found by its tag), or creates it. */
function findOrCreateServer(ctx: ActionContext<ScalewayServer>, api: ScalewayApi, zone: string, request: CreateServerRequest): Promise<Server> {
  const tag = ownerTag(ctx.record.id);
  return findOrCreate(ctx, {
    kind: 'server',
    name: request.name ?? ctx.record.name,
    label: (server) => server.name,
    find: async () => (await api.servers.list(zone, { tags: [tag] }))[0],
    create: () => api.servers.create(zone, request),
  });
}
