import type { ProviderHttp } from 'mv-infra/core';
import { id, instance } from './paths.js';
import type { UserDataKeysResponse } from './wire.js';

/** A server's user data: keys, and each value as raw text (`cloud-init` is read at boot). */
export class UserData {
  constructor(private readonly http: ProviderHttp) {}

  async keys(zone: string, serverId: string): Promise<string[]> {
    return (await this.http.request<UserDataKeysResponse>({ call: 'listServerUserData', method: 'GET', path: instance(zone, `/servers/${id(serverId)}/user_data`) })).data.user_data;
  }

  async get(zone: string, serverId: string, key: string): Promise<string> {
    const { data } = await this.http.request<unknown>({ call: 'getServerUserData', method: 'GET', path: instance(zone, `/servers/${id(serverId)}/user_data/${id(key)}`), headers: { accept: 'text/plain' } });
    return typeof data === 'string' ? data : data === undefined ? '' : JSON.stringify(data);
  }

  async set(zone: string, serverId: string, key: string, content: string): Promise<void> {
    await this.http.request({ call: 'setServerUserData', method: 'PATCH', path: instance(zone, `/servers/${id(serverId)}/user_data/${id(key)}`), body: content, contentType: 'text/plain', idempotent: true });
  }
}
