import type { ProviderHttp } from 'mv-infra/core';
import { listAll } from './pagination.js';
import { id, instance } from './paths.js';
import type { CreateIpRequest, Ip, IpResponse, UpdateIpRequest } from './wire.js';

/** Flexible IPs: reserve, attach (`server: id`), detach (`server: null`), release. */
export class Ips {
  constructor(private readonly http: ProviderHttp) {}

  list(zone: string, filters: { project?: string; tags?: string[] } = {}): Promise<Ip[]> {
    return listAll(this.http, { call: 'listIps', path: instance(zone, '/ips'), query: { project: filters.project, tags: filters.tags?.join(',') } }, (body) => body.ips);
  }

  async get(zone: string, ip: string): Promise<Ip> {
    return (await this.http.request<IpResponse>({ call: 'getIp', method: 'GET', path: instance(zone, `/ips/${id(ip)}`) })).data.ip;
  }

  async create(zone: string, body: CreateIpRequest): Promise<Ip> {
    return (await this.http.request<IpResponse>({ call: 'createIp', method: 'POST', path: instance(zone, '/ips'), body })).data.ip;
  }

  async update(zone: string, ip: string, body: UpdateIpRequest): Promise<Ip> {
    return (await this.http.request<IpResponse>({ call: 'updateIp', method: 'PATCH', path: instance(zone, `/ips/${id(ip)}`), body, idempotent: true })).data.ip;
  }

  async delete(zone: string, ip: string): Promise<void> {
    await this.http.request({ call: 'deleteIp', method: 'DELETE', path: instance(zone, `/ips/${id(ip)}`) });
  }
}
