import type { ProviderHttp } from 'mv-infra/core';
import { BlockStorage } from './block.js';
import { Bootscripts } from './bootscripts.js';
import { Images } from './images.js';
import { Ips } from './ips.js';
import { Marketplace } from './marketplace.js';
import { Products } from './products.js';
import { SecurityGroups } from './security-groups.js';
import { Servers } from './servers.js';
import { Snapshots } from './snapshots.js';
import { UserData } from './user-data.js';
import { Volumes } from './volumes.js';

/** The Scaleway APIs we use (Instance v1, Block Storage v1, Marketplace v2), on one provider HTTP client. */
export class ScalewayApi {
  readonly servers: Servers;
  readonly userData: UserData;
  readonly products: Products;
  readonly images: Images;
  readonly volumes: Volumes;
  readonly block: BlockStorage;
  readonly snapshots: Snapshots;
  readonly securityGroups: SecurityGroups;
  readonly ips: Ips;
  readonly marketplace: Marketplace;
  readonly bootscripts: Bootscripts;

  constructor(readonly http: ProviderHttp) {
    this.servers = new Servers(http);
    this.userData = new UserData(http);
    this.products = new Products(http);
    this.images = new Images(http);
    this.volumes = new Volumes(http);
    this.block = new BlockStorage(http);
    this.snapshots = new Snapshots(http);
    this.securityGroups = new SecurityGroups(http);
    this.ips = new Ips(http);
    this.marketplace = new Marketplace(http);
    this.bootscripts = new Bootscripts(http);
  }
}
