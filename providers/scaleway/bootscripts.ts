import { ActionError, ProviderError, type ProviderHttp } from 'mv-infra/core';
import { instance } from './paths.js';

export interface WireBootscript {
  id: string;
  title: string;
  arch: string;
  bootcmdargs: string;
  dtb: string;
  initrd: string;
  kernel: string;
  default: boolean;
  public: boolean;
  organization: string;
  project: string;
  zone: string;
}

/** `GET /bootscripts`, which Scaleway removed in 2024: a 404 is turned into that explanation. */
export class Bootscripts {
  constructor(private readonly http: ProviderHttp) {}

  async list(zone: string): Promise<WireBootscript[]> {
    try {
      return (await this.http.request<{ bootscripts: WireBootscript[] }>({ call: 'listBootscripts', method: 'GET', path: instance(zone, '/bootscripts') })).data.bootscripts;
    } catch (error) {
      if (error instanceof ProviderError && error.httpStatus === 404) {
        throw new ActionError(
          `Scaleway no longer offers bootscripts (removed from the Instance API in 2024; the API answers 404 in ${zone}). Servers boot from their volume (boot type "local").`,
          undefined,
          'not_found',
        );
      }
      throw error;
    }
  }
}
