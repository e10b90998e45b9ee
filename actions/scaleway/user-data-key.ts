import type { ScalewayServer } from '../../entities/scaleway-server.js';

/** What Scaleway accepts as a user-data key (`cloud-init`, `ssh-host-fingerprints`, ...). */
export const USER_DATA_KEY = /^[\w.-]{1,100}$/;

export const createdAtScaleway = (server: ScalewayServer) => !!server.providerSideId || 'it is not created at Scaleway yet';
