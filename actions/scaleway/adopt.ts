import type { EntityManager } from 'typeorm';
import { defineAction, type ActionDefinition, type EntityClass } from 'mv-infra/core';
import type { ProviderResource } from '../../entities/provider-resource.js';
import { PublicIp } from '../../entities/public-ip.js';
import { ScalewayServer } from '../../entities/scaleway-server.js';
import { SecurityGroup } from '../../entities/security-group.js';
import { SecurityRule } from '../../entities/security-rule.js';
import { ServerImage } from '../../entities/server-image.js';
import { ServerVolume } from '../../entities/server-volume.js';

interface Parts {
  /** What is adopted with the record: it is part of it (a server's attached volumes and IPs...). */
  entity: EntityClass<ProviderResource>;
  /** The column pointing at the adopted record, and how the parts are called in messages. */
  via: string;
  what: string;
}

interface AdoptOptions<R extends ProviderResource> {
  title: (record: R) => string;
  /** Records that can never be ours (public images). */
  refuse?: (record: R) => string | undefined;
  parts?: Parts[];
}

/**
 * `adopt`, the way out of `observed`: a record a sync imported becomes ours (`managed`), so that actions may
 * change it at the provider. Nothing is sent to the provider. What is part of it comes along; shared
 * things (a server's security group) are adopted on their own.
 */
function adoptAction<R extends ProviderResource>(entity: EntityClass<R>, options: AdoptOptions<R>): ActionDefinition<R> {
  return defineAction<R>({
    code: 'adopt',
    label: 'Adopt',
    entity,
    kind: 'bulk',
    description: 'Takes over a resource imported by a sync: actions may then change and delete it at the provider.',
    applicable: (record) => {
      if (record.ownership !== 'observed') return 'it is ours already';
      return options.refuse?.(record) ?? true;
    },
    confirm: (record) => `Adopt ${options.title(record)}? Actions will then be able to change and delete it at the provider.`,
    async handler(ctx) {
      const record = ctx.record;
      const parts = options.parts ?? [];
      if (ctx.job.dryRun) {
        const counts = await Promise.all(parts.map((part) => ctx.repo(part.entity).countBy({ [part.via]: record.id, ownership: 'observed' })));
        const along = parts.map((part, i) => `${counts[i]} ${part.what}`).join(', ');
        return { message: `Dry run: would adopt ${options.title(record)}${along ? ` with ${along}` : ''}; nothing was changed (adopting sends nothing to the provider).`, value: { dryRun: true, calls: [] } };
      }
      const adopted = await ctx.data.transaction(async (manager: EntityManager) => {
        await manager.update(entity, { id: record.id, ownership: 'observed' } as never, { ownership: 'managed' } as never);
        const counts: Record<string, number> = {};
        for (const part of parts) {
          const result = await manager.update(part.entity, { [part.via]: record.id, ownership: 'observed' }, { ownership: 'managed' });
          counts[part.what] = result.affected ?? 0;
        }
        return counts;
      });
      const along = Object.entries(adopted).filter(([, n]) => n).map(([what, n]) => `${n} ${what}`).join(', ');
      return { message: `Adopted ${options.title(record)}${along ? ` with ${along}` : ''}: it is managed here now`, value: adopted };
    },
  });
}

export const adoptServer = adoptAction(ScalewayServer, {
  title: (server) => server.name,
  parts: [
    { entity: ServerVolume, via: 'serverId', what: 'attached volumes' },
    { entity: PublicIp, via: 'serverId', what: 'public IPs' },
  ],
});

export const adoptVolume = adoptAction(ServerVolume, { title: (volume) => `the ${volume.kind} ${volume.name}` });

export const adoptImage = adoptAction(ServerImage, {
  title: (image) => `the image ${image.name}`,
  refuse: (image) => (image.isPublic ? 'it is a public image of the Scaleway catalogue: it stays Scaleway’s' : undefined),
  parts: [{ entity: ServerVolume, via: 'imageId', what: 'snapshots' }],
});

export const adoptSecurityGroup = adoptAction(SecurityGroup, {
  title: (group) => `the security group ${group.name}`,
  parts: [{ entity: SecurityRule, via: 'securityGroupId', what: 'rules' }],
});

export const adoptIp = adoptAction(PublicIp, { title: (ip) => ip.address ?? 'the IP' });
