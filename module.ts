import { defineModule } from 'mv-infra/core';
import { attachVolume } from './actions/scaleway/attach-volume.js';
import { backup } from './actions/scaleway/backup.js';
import { createServer } from './actions/scaleway/create-server.js';
import { deleteServerWithVolumes } from './actions/scaleway/delete-server-with-volumes.js';
import { deleteServer } from './actions/scaleway/delete-server.js';
import { detachVolume } from './actions/scaleway/detach-volume.js';
import { populateProviderFields } from './actions/scaleway/populate-provider-fields.js';
import { powerOff } from './actions/scaleway/power-off.js';
import { powerOn } from './actions/scaleway/power-on.js';
import { reboot } from './actions/scaleway/reboot.js';
import { stopInPlace } from './actions/scaleway/stop-in-place.js';
import { syncServers } from './actions/scaleway/sync-servers.js';
import { terminate } from './actions/scaleway/terminate.js';
import { updateServer } from './actions/scaleway/update-server.js';
import { getUserData, listUserData, setUserData } from './actions/scaleway/user-data.js';
import { Bootscript } from './entities/bootscript.js';
import { PublicIp } from './entities/public-ip.js';
import { ScalewayServer } from './entities/scaleway-server.js';
import { SecurityGroup } from './entities/security-group.js';
import { SecurityRule } from './entities/security-rule.js';
import { ServerAction } from './entities/server-action.js';
import { ServerImage } from './entities/server-image.js';
import { ServerType } from './entities/server-type.js';
import { ServerUserData } from './entities/server-user-data.js';
import { ServerVolume } from './entities/server-volume.js';
import { ServiceProvider } from './entities/service-provider.js';
import { InfrastructureInit1732320100000 as SqliteInit } from './migrations/sqlite/1732320100000-infrastructure-init.js';
import { InfrastructureInit1732320100000 as PostgresInit } from './migrations/postgres/1732320100000-infrastructure-init.js';
import { registerScalewayVerifier } from './providers/scaleway/verify.js';

/** mv-infrastructure: providers, their resources and the actions that manage them. Depends on mv-credentials. */
export default defineModule({
  entities: [ServiceProvider, ScalewayServer, ServerVolume, ServerImage, ServerType, SecurityGroup, SecurityRule, PublicIp, Bootscript, ServerAction, ServerUserData],
  actions: [
    populateProviderFields,
    createServer,
    updateServer,
    powerOn,
    powerOff,
    reboot,
    stopInPlace,
    backup,
    terminate,
    deleteServer,
    deleteServerWithVolumes,
    attachVolume,
    detachVolume,
    listUserData,
    getUserData,
    setUserData,
    syncServers,
  ],
  migrations: { sqlite: [SqliteInit], postgres: [PostgresInit] },
  setup: registerScalewayVerifier,
});
