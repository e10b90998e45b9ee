import type { ProviderHttp } from 'mv-infra/core';
import { id, instance } from './paths.js';

/** Instance snapshots (of local volumes), as a backup of an l_ssd server produces. */
export class Snapshots {
  constructor(private readonly http: ProviderHttp) {}

  async delete(zone: string, snapshotId: string): Promise<void> {
    await this.http.request({ call: 'deleteSnapshot', method: 'DELETE', path: instance(zone, `/snapshots/${id(snapshotId)}`) });
  }
}
