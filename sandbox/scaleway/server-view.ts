import type { Server } from '../../providers/scaleway/wire.js';
import { serverIpView } from './ips.js';
import { allowedActions } from './server-lifecycle.js';
import { serverVolumesView } from './server-volumes.js';
import type { ScalewayState, ServerRecord } from './state.js';

/** A server as the API shows it: the record plus its volumes, IPs, security group and actions. */
export function serverView(state: ScalewayState, server: ServerRecord): Server {
  const {
    volume_refs: _volumes,
    ip_ids: ipIds,
    security_group_id: groupId,
    backup_in_progress: _backup,
    user_data: _userData,
    ...rest
  } = server;
  const publicIps = ipIds.flatMap((id) => {
    const ip = state.ips.get(id);
    return ip ? [serverIpView(ip)] : [];
  });
  const group = groupId ? state.securityGroups.get(groupId) : undefined;
  return {
    ...rest,
    hostname: server.name,
    tags: [...server.tags],
    volumes: serverVolumesView(state, server),
    public_ip: publicIps[0] ?? null,
    public_ips: publicIps,
    security_group: group ? { id: group.id, name: group.name } : null,
    allowed_actions: allowedActions(state, server),
  };
}
