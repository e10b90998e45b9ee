import type { ProviderHttp } from 'mv-infra/core';
import { eachPage, listAll, type PagedRequest } from './pagination.js';
import { id, instance } from './paths.js';
import type {
  AttachServerVolumeRequest,
  CreateServerRequest,
  Server,
  ServerActionRequest,
  ServerResponse,
  ServersResponse,
  Task,
  TaskResponse,
  UpdateServerRequest,
} from './wire.js';

export interface ServerFilters {
  /** Substring of the name, as the API matches it. */
  name?: string;
  /** Servers carrying all these tags. */
  tags?: string[];
  project?: string;
}

/**
 * Oldest first: a server created while the pages are read lands on the last page, instead of shifting
 * every page after the first by one (Scaleway's default, newest first, shows a server twice then).
 */
function listRequest(zone: string, filters: ServerFilters): PagedRequest {
  return {
    call: 'listServers',
    path: instance(zone, '/servers'),
    query: { name: filters.name || undefined, tags: filters.tags?.join(','), project: filters.project, order: 'creation_date_asc' },
  };
}

/** Instance servers: `/instance/v1/zones/{zone}/servers`. */
export class Servers {
  constructor(private readonly http: ProviderHttp) {}

  list(zone: string, filters: ServerFilters = {}): Promise<Server[]> {
    return listAll(this.http, listRequest(zone, filters), (body: ServersResponse) => body.servers);
  }

  /** The zone's servers page by page, as they arrive (see eachPage). */
  eachPage(zone: string, filters: ServerFilters, onPage: (servers: Server[]) => void | Promise<void>): Promise<number> {
    return eachPage(this.http, listRequest(zone, filters), (body: ServersResponse) => body.servers, onPage);
  }

  async get(zone: string, serverId: string): Promise<Server> {
    return (await this.http.request<ServerResponse>({ call: 'getServer', method: 'GET', path: instance(zone, `/servers/${id(serverId)}`) })).data.server;
  }

  /** Not repeated on a lost answer: the caller finds the server by its tag instead (see createServer). */
  async create(zone: string, body: CreateServerRequest): Promise<Server> {
    return (await this.http.request<ServerResponse>({ call: 'createServer', method: 'POST', path: instance(zone, '/servers'), body })).data.server;
  }

  async update(zone: string, serverId: string, body: UpdateServerRequest): Promise<Server> {
    return (await this.http.request<ServerResponse>({ call: 'updateServer', method: 'PATCH', path: instance(zone, `/servers/${id(serverId)}`), body, idempotent: true })).data.server;
  }

  async delete(zone: string, serverId: string): Promise<void> {
    await this.http.request({ call: 'deleteServer', method: 'DELETE', path: instance(zone, `/servers/${id(serverId)}`) });
  }

  async action(zone: string, serverId: string, body: ServerActionRequest): Promise<Task> {
    return (await this.http.request<TaskResponse>({ call: `serverAction ${body.action}`, method: 'POST', path: instance(zone, `/servers/${id(serverId)}/action`), body })).data.task;
  }

  async attachVolume(zone: string, serverId: string, body: AttachServerVolumeRequest): Promise<Server> {
    return (await this.http.request<ServerResponse>({ call: 'attachServerVolume', method: 'POST', path: instance(zone, `/servers/${id(serverId)}/attach-volume`), body })).data.server;
  }

  async detachVolume(zone: string, serverId: string, volumeId: string): Promise<Server> {
    return (await this.http.request<ServerResponse>({ call: 'detachServerVolume', method: 'POST', path: instance(zone, `/servers/${id(serverId)}/detach-volume`), body: { volume_id: volumeId } })).data.server;
  }
}
