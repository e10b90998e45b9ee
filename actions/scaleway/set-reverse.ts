import { defineAction, param } from 'mv-infra/core';
import { PublicIp } from '../../entities/public-ip.js';
import { instance } from '../../providers/scaleway/paths.js';
import { dryRunResult } from './dry-run.js';
import { managedOnly } from './ownership.js';
import { scalewayOf, zoneOf } from './provider.js';
import { ipName, saveIp } from './public-ips.js';

/** A DNS name: labels of letters, digits and inner hyphens, up to 253 characters, an optional final dot. */
const HOSTNAME = /^(?=.{1,253}\.?$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?\.?$/i;

/**
 * Sets the reverse DNS (PTR) name of the address, or clears it (no name given). Scaleway checks that the
 * name resolves to the address (create its A or AAAA record first); a refusal is shown with the field.
 */
export const setReverse = defineAction({
  code: 'setReverse',
  label: 'Set reverse DNS',
  entity: PublicIp,
  kind: 'instance',
  description: 'Sets the reverse DNS name of the IP (the name must already resolve to it), or clears it.',
  applicable: managedOnly((ip) => !!ip.providerSideId || 'it is not reserved at Scaleway yet'),
  params: {
    reverse: param.string({
      maxLength: 253,
      pattern: HOSTNAME,
      label: 'Reverse DNS name',
      description: 'e.g. mail.example.com, whose A/AAAA record points to this address; empty clears it',
    }),
  },
  async handler(ctx) {
    const ip = ctx.record;
    const { provider, api } = await scalewayOf(ctx, ip.serviceProviderId);
    const zone = zoneOf(ip, provider);
    const body = { reverse: ctx.params.reverse ?? null };
    if (ctx.job.dryRun) return dryRunResult(`set the reverse of ${ipName(ip)}`, [{ method: 'PATCH', path: instance(zone, `/ips/${ip.providerSideId}`), body }]);
    const answer = await api.ips.update(zone, ip.providerSideId!, body);
    await saveIp(ctx, ip, answer);
    return { message: answer.reverse ? `${ipName(ip)} now resolves back to ${answer.reverse}` : `Cleared the reverse DNS of ${ipName(ip)}`, value: { reverse: answer.reverse } };
  },
});
