import type { ProviderHttp } from 'mv-infra/core';
import { listAll } from './pagination.js';
import { instance } from './paths.js';
import type { ServerType, ServerTypeAvailability, ServerTypesAvailabilityResponse, VolumeTypesResponse } from './wire.js';

/** The catalogue of a zone: server types with prices and constraints, their availability, volume types. */
export class Products {
  constructor(private readonly http: ProviderHttp) {}

  async serverTypes(zone: string): Promise<Record<string, ServerType>> {
    const entries = await listAll(this.http, { call: 'listServersTypes', path: instance(zone, '/products/servers') }, (body) =>
      Object.entries(body.servers as Record<string, ServerType>),
    );
    return Object.fromEntries(entries);
  }

  async availability(zone: string): Promise<Record<string, ServerTypeAvailability>> {
    const entries = await listAll(this.http, { call: 'getServerTypesAvailability', path: instance(zone, '/products/servers/availability') }, (body) =>
      Object.entries((body as ServerTypesAvailabilityResponse).servers).map(([name, { availability }]) => [name, availability] as const),
    );
    return Object.fromEntries(entries);
  }

  async volumeTypes(zone: string): Promise<VolumeTypesResponse['volumes']> {
    return (await this.http.request<VolumeTypesResponse>({ call: 'listVolumesTypes', method: 'GET', path: instance(zone, '/products/volumes') })).data.volumes;
  }
}
