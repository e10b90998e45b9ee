import { defineAction, param } from 'mv-infra/core';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { scalewayOf, zoneOf } from './provider.js';
import { createdAtScaleway, USER_DATA_KEY } from './user-data-key.js';

/** Shows one user-data entry; operators only, as it may hold secrets. */
export const getUserData = defineAction({
  code: 'getUserData',
  label: 'Show user data',
  entity: ScalewayServer,
  kind: 'instance',
  role: 'operator',
  applicable: createdAtScaleway,
  params: { key: param.string({ default: 'cloud-init', pattern: USER_DATA_KEY }) },
  async handler(ctx) {
    const server = ctx.record;
    const { provider, api } = await scalewayOf(ctx, server.serviceProviderId);
    const content = await api.userData.get(zoneOf(server, provider), server.providerSideId!, ctx.params.key);
    return { message: `${ctx.params.key} of ${server.name}:\n${content}`, value: { key: ctx.params.key, content } };
  },
});
