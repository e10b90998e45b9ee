import { defineModule } from 'mv-infra/core';
import { adoptImage, adoptIp, adoptSecurityGroup, adoptServer, adoptVolume } from './actions/scaleway/adopt.js';
import { attachIp } from './actions/scaleway/attach-ip.js';
import { attachVolume } from './actions/scaleway/attach-volume.js';
import { backup } from './actions/scaleway/backup.js';
import { createSecurityGroup } from './actions/scaleway/create-security-group.js';
import { createSecurityRule } from './actions/scaleway/create-security-rule.js';
import { createServer } from './actions/scaleway/create-server.js';
import { createVolume } from './actions/scaleway/create-volume.js';
import { deleteImage } from './actions/scaleway/delete-image.js';
import { deleteSecurityGroup } from './actions/scaleway/delete-security-group.js';
import { deleteSecurityRule } from './actions/scaleway/delete-security-rule.js';
import { deleteServerWithVolumes } from './actions/scaleway/delete-server-with-volumes.js';
import { deleteServer } from './actions/scaleway/delete-server.js';
import { deleteVolume } from './actions/scaleway/delete-volume.js';
import { detachIp } from './actions/scaleway/detach-ip.js';
import { detachVolume } from './actions/scaleway/detach-volume.js';
import { listBootscripts } from './actions/scaleway/list-bootscripts.js';
import { listImages } from './actions/scaleway/list-images.js';
import { listSecurityGroups } from './actions/scaleway/list-security-groups.js';
import { listSecurityRules } from './actions/scaleway/list-security-rules.js';
import { listVolumes } from './actions/scaleway/list-volumes.js';
import { populateProviderFields } from './actions/scaleway/populate-provider-fields.js';
import { powerOff } from './actions/scaleway/power-off.js';
import { powerOn } from './actions/scaleway/power-on.js';
import { reboot } from './actions/scaleway/reboot.js';
import { releaseIp } from './actions/scaleway/release-ip.js';
import { reserveIp } from './actions/scaleway/reserve-ip.js';
import { setReverse } from './actions/scaleway/set-reverse.js';
import { stopInPlace } from './actions/scaleway/stop-in-place.js';
import { syncServers } from './actions/scaleway/sync-servers.js';
import { terminate } from './actions/scaleway/terminate.js';
import { updateSecurityGroup } from './actions/scaleway/update-security-group.js';
import { updateSecurityRule } from './actions/scaleway/update-security-rule.js';
import { updateServer } from './actions/scaleway/update-server.js';
import { updateVolume } from './actions/scaleway/update-volume.js';
import { getUserData } from './actions/scaleway/get-user-data.js';
import { listUserData } from './actions/scaleway/list-user-data.js';
import { setUserData } from './actions/scaleway/set-user-data.js';
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
import { registerCredentialHosts } from './providers/credential-hosts.js';
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
    adoptServer,
    createVolume,
    updateVolume,
    deleteVolume,
    listVolumes,
    adoptVolume,
    listImages,
    deleteImage,
    adoptImage,
    createSecurityGroup,
    updateSecurityGroup,
    deleteSecurityGroup,
    listSecurityGroups,
    listSecurityRules,
    adoptSecurityGroup,
    createSecurityRule,
    updateSecurityRule,
    deleteSecurityRule,
    reserveIp,
    attachIp,
    detachIp,
    releaseIp,
    setReverse,
    adoptIp,
    listBootscripts,
  ],
  migrations: { sqlite: [SqliteInit], postgres: [PostgresInit] },
  setup(host) {
    registerCredentialHosts(host);
    registerScalewayVerifier(host);
  },
});
