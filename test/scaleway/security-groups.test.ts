import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/runtime.js';
import { scalewayWorld, type ScalewayWorld } from '../support/scaleway.js';
import { dryRun, expectNotApplicable, refusedBeforeCalling, scalewayDirect } from './support.js';

const ZONE = 'fr-par-1';

describe.each(DIALECTS)('Scaleway security groups on %s', (dialect) => {
  let world: ScalewayWorld;
  beforeAll(async () => {
    world = await scalewayWorld(dialect);
  });
  afterAll(() => world.close());

  const remoteGroup = (id: string) => world.scw.state.securityGroups.get(id)!;
  const editable = (id: string) => remoteGroup(id).rules.filter((rule) => rule.editable);

  async function createdGroup(fields: Record<string, unknown> = {}) {
    const group = await world.create('SecurityGroup', { name: `web-${Math.random().toString(36).slice(2, 8)}`, zone: ZONE, serviceProviderId: world.providerId, ...fields });
    const job = await world.run('SecurityGroup', group.id, 'createSecurityGroup');
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    return world.get('SecurityGroup', group.id);
  }
  async function createdRule(groupId: string, fields: Record<string, unknown>) {
    const rule = await world.create('SecurityRule', { securityGroupId: groupId, serviceProviderId: world.providerId, ...fields });
    const job = await world.run('SecurityRule', rule.id, 'createSecurityRule');
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    return world.get('SecurityRule', rule.id);
  }

  it('creates a group with its policies, tagged with its record, and records the rules Scaleway gives it', async () => {
    const group = await createdGroup({ description: 'front ends', inboundDefaultPolicy: 'drop', tags: ['web'] });
    expect(group).toMatchObject({ state: 'available', inboundDefaultPolicy: 'drop', outboundDefaultPolicy: 'accept', ownership: 'managed', tags: ['web'], enableDefaultSecurity: true });
    expect(remoteGroup(group.providerSideId)).toMatchObject({ name: group.name, description: 'front ends', inbound_default_policy: 'drop', tags: ['web', `mv-record=${group.id}`] });
    const rules = await world.list('SecurityRule', `&securityGroupId=${group.id}`);
    expect(rules).toHaveLength(6);
    expect(rules.every((rule: { editable: boolean; action: string }) => !rule.editable && rule.action === 'drop')).toBe(true);
    // Reading the rules again as a dry run reads nothing, and writes nothing.
    const mark = world.scw.journal.mark();
    const read = await dryRun(world, 'SecurityGroup', group.id, 'listSecurityRules');
    expect(read.value.reads).toEqual([{ method: 'GET', path: `/instance/v1/zones/${ZONE}/security_groups/${group.providerSideId}/rules` }]);
    expect(world.scw.journal.since(mark)).toEqual([]);
  });

  it('adds, reorders, changes and removes rules, keeping positions as Scaleway numbers them', async () => {
    const group = await createdGroup();
    const https = await createdRule(group.id, { protocol: 'TCP', direction: 'inbound', action: 'accept', ipRange: '0.0.0.0/0', destPortFrom: 443 });
    expect(https).toMatchObject({ position: 1, editable: true, zone: ZONE, ownership: 'managed' });
    const ssh = await createdRule(group.id, { protocol: 'TCP', direction: 'inbound', action: 'accept', ipRange: '203.0.113.4/32', destPortFrom: 22, position: 1 });
    expect(ssh).toMatchObject({ position: 1, ipRange: '203.0.113.4' });
    expect(await world.get('SecurityRule', https.id)).toMatchObject({ position: 2 });
    expect(editable(group.providerSideId).map((r) => r.dest_port_from)).toEqual([22, 443]);

    await world.api.call('admin', 'PATCH', `/api/v1/entities/SecurityRule/${https.id}`, { destPortFrom: 8000, destPortTo: 8080, position: 1 });
    const updated = await world.run('SecurityRule', https.id, 'updateSecurityRule');
    expect(updated.message).toBe(`Saved "inbound accept TCP 8000-8080 from 0.0.0.0/0" of ${group.name} at position 1`);
    expect(editable(group.providerSideId)).toEqual([
      expect.objectContaining({ id: https.providerSideId, dest_port_from: 8000, dest_port_to: 8080, position: 1 }),
      expect.objectContaining({ id: ssh.providerSideId, position: 2 }),
    ]);
    expect(await world.get('SecurityRule', ssh.id)).toMatchObject({ position: 2 });

    const removed = await world.run('SecurityRule', ssh.id, 'deleteSecurityRule');
    expect(removed.message).toBe(`Removed "inbound accept TCP 22 from 203.0.113.4" from ${group.name}; 7 rules left`);
    expect(editable(group.providerSideId).map((r) => r.id)).toEqual([https.providerSideId]);
    expect((await world.api.call('admin', 'GET', `/api/v1/entities/SecurityRule/${ssh.id}`)).status).toBe(404);
  });

  it('refuses invalid rules when they are saved, again before calling, and Scaleway’s own rules', async () => {
    const group = await createdGroup();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ protocol: 'TCP', ipRange: '10.0.0.0/33', destPortFrom: 80 }, 'ipRange', '"10.0.0.0/33" is not an IP range'],
      [{ protocol: 'TCP', ipRange: 'everyone', destPortFrom: 80 }, 'ipRange', '"everyone" is not an IP range'],
      [{ protocol: 'TCP', ipRange: '0.0.0.0/0', destPortFrom: 8080, destPortTo: 80 }, 'destPortTo', 'The port range ends before it starts (8080 to 80)'],
      [{ protocol: 'UDP', ipRange: '0.0.0.0/0', destPortTo: 53 }, 'destPortFrom', 'A port range needs its first port'],
      [{ protocol: 'ICMP', ipRange: '0.0.0.0/0', destPortFrom: 8 }, 'destPortFrom', 'ICMP rules have no ports: clear the port range'],
      [{ protocol: 'ANY', ipRange: '::/0', destPortTo: 100 }, 'destPortTo', 'ANY rules have no ports'],
    ];
    const rules = world.runtime.data.getRepository('SecurityRule');
    for (const [fields, field, message] of cases) {
      // Through CRUD (the API, and the back-office's forms): refused, field by field, and nothing saved.
      const saved = await world.api.call('admin', 'POST', '/api/v1/entities/SecurityRule', { securityGroupId: group.id, serviceProviderId: world.providerId, ...fields });
      expect(saved.status, JSON.stringify(fields)).toBe(400);
      expect(saved.body.error.details.fields[field], JSON.stringify(fields)).toEqual([expect.stringContaining(message)]);
      // A rule saved some other way (before the check existed, straight into the database): the action refuses it.
      const rule = await rules.save(rules.create({ securityGroupId: group.id, serviceProviderId: world.providerId, ...fields }));
      const job = await refusedBeforeCalling(world, 'SecurityRule', rule.id, 'createSecurityRule');
      expect(job.error.message, JSON.stringify(fields)).toContain(message);
      expect(job.error.details).toEqual({ field });
    }
    expect(editable(group.providerSideId)).toEqual([]);
    // An update is checked on the record it makes.
    const valid = await world.create('SecurityRule', { securityGroupId: group.id, serviceProviderId: world.providerId, protocol: 'TCP', ipRange: '0.0.0.0/0', destPortFrom: 80 });
    const patched = await world.api.call('admin', 'PATCH', `/api/v1/entities/SecurityRule/${valid.id}`, { protocol: 'ICMP' });
    expect(patched.status).toBe(400);
    expect(patched.body.error.details.fields).toEqual({ destPortFrom: ['ICMP rules have no ports: clear the port range'] });
    expect(await world.get('SecurityRule', valid.id)).toMatchObject({ protocol: 'TCP' });

    const [smtp] = await world.list('SecurityRule', `&securityGroupId=${group.id}&editable=false`);
    expectNotApplicable(await refusedBeforeCalling(world, 'SecurityRule', smtp.id, 'updateSecurityRule'), 'Scaleway does not let anyone change this rule');
    expectNotApplicable(await refusedBeforeCalling(world, 'SecurityRule', smtp.id, 'deleteSecurityRule'), 'Scaleway does not let anyone change this rule');
  });

  it('updates the group’s settings, and deletes it only once no server uses it', async () => {
    const group = await createdGroup();
    await world.api.call('admin', 'PATCH', `/api/v1/entities/SecurityGroup/${group.id}`, { name: `${group.name}-v2`, outboundDefaultPolicy: 'drop', stateful: false });
    const updated = await world.run('SecurityGroup', group.id, 'updateSecurityGroup');
    expect(updated.message).toBe(`Saved ${group.name}-v2 at Scaleway: inbound accept, outbound drop`);
    expect(remoteGroup(group.providerSideId)).toMatchObject({ name: `${group.name}-v2`, outbound_default_policy: 'drop', stateful: false });

    const server = await world.create('ScalewayServer', { name: 'dev-guarded', serverType: 'DEV1-S', zone: ZONE, serviceProviderId: world.providerId, securityGroupId: group.id });
    const refused = await refusedBeforeCalling(world, 'SecurityGroup', group.id, 'deleteSecurityGroup');
    expect(refused.error).toMatchObject({ message: `${group.name}-v2 is the security group of dev-guarded: give them another group first`, details: { field: 'securityGroupId' } });
    expect(world.scw.state.securityGroups.has(group.providerSideId)).toBe(true);

    await world.api.call('admin', 'PATCH', `/api/v1/entities/ScalewayServer/${server.id}`, { securityGroupId: null });
    const deleted = await world.run('SecurityGroup', group.id, 'deleteSecurityGroup');
    expect(deleted.message).toBe(`Deleted the security group ${group.name}-v2 (${group.providerSideId})`);
    expect(world.scw.state.securityGroups.has(group.providerSideId)).toBe(false);
    expect(await world.list('SecurityRule', `&securityGroupId=${group.id}`)).toEqual([]);
  });

  it('imports groups with their rules as observed, read-only until adopted, and follows rules removed at Scaleway', async () => {
    const scw = scalewayDirect(world);
    const made = await scw.post(`/instance/v1/zones/${ZONE}/security_groups`, { name: 'legacy-db', inbound_default_policy: 'drop', enable_default_security: false });
    const legacy = made.body.security_group.id;
    for (const port of [5432, 6432]) await scw.post(`/instance/v1/zones/${ZONE}/security_groups/${legacy}/rules`, { protocol: 'TCP', direction: 'inbound', action: 'accept', ip_range: '10.0.0.0/8', dest_port_from: port });

    const job = await world.run('SecurityGroup', null, 'listSecurityGroups');
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    expect(job.value).toMatchObject({ listed: world.scw.state.securityGroups.size, gone: 0 });
    const [group] = await world.list('SecurityGroup', `&providerSideId=${legacy}`);
    expect(group).toMatchObject({ name: 'legacy-db', ownership: 'observed', inboundDefaultPolicy: 'drop', enableDefaultSecurity: false });
    const rules = await world.list('SecurityRule', `&securityGroupId=${group.id}&sort=position`);
    expect(rules.map((r: { destPortFrom: number; ownership: string }) => `${r.destPortFrom}:${r.ownership}`)).toEqual(['5432:observed', '6432:observed']);

    // Observed: nothing changes at Scaleway until adopted.
    await world.api.call('admin', 'PATCH', `/api/v1/entities/SecurityGroup/${group.id}`, { inboundDefaultPolicy: 'accept' });
    expectNotApplicable(await refusedBeforeCalling(world, 'SecurityGroup', group.id, 'updateSecurityGroup'), 'only observed: adopt it first');
    expectNotApplicable(await refusedBeforeCalling(world, 'SecurityRule', rules[0].id, 'deleteSecurityRule'), 'only observed: adopt it first');
    const newRule = await world.create('SecurityRule', { securityGroupId: group.id, serviceProviderId: world.providerId, protocol: 'TCP', ipRange: '10.0.0.0/8', destPortFrom: 5433 });
    const onObserved = await refusedBeforeCalling(world, 'SecurityRule', newRule.id, 'createSecurityRule');
    expect(onObserved.error).toMatchObject({ message: 'The security group legacy-db was imported by a sync and is only observed: adopt it first', details: { field: 'securityGroupId' } });
    expect((await world.run('SecurityGroup', group.id, 'listSecurityRules')).status).toBe('succeeded');

    // Someone removes a rule at Scaleway: reading the rules lets it go.
    await scw.delete(`/instance/v1/zones/${ZONE}/security_groups/${legacy}/rules/${rules[0].providerSideId}`);
    const read = await world.run('SecurityGroup', group.id, 'listSecurityRules');
    expect(read.message).toBe('legacy-db has 1 rules (1 editable, 0 set by Scaleway); 1 gone at Scaleway were removed');
    expect((await world.list('SecurityRule', `&securityGroupId=${group.id}&providerSideId=${rules[1].providerSideId}`))[0]).toMatchObject({ position: 1 });

    const adopted = await world.run('SecurityGroup', group.id, 'adopt');
    expect(adopted.message).toBe('Adopted the security group legacy-db with 1 rules: it is managed here now');
    expect((await world.run('SecurityGroup', group.id, 'updateSecurityGroup')).status).toBe('succeeded');
    expect(remoteGroup(legacy)).toMatchObject({ inbound_default_policy: 'accept', tags: [`mv-record=${group.id}`] });
    expect((await world.run('SecurityRule', newRule.id, 'createSecurityRule')).status).toBe('succeeded');
  });

  it('answers dry runs with the calls it would send, and sends none', async () => {
    const draft = await world.create('SecurityGroup', { name: 'dry-group', zone: ZONE, serviceProviderId: world.providerId });
    expect((await dryRun(world, 'SecurityGroup', draft.id, 'createSecurityGroup')).value.calls).toEqual([
      { method: 'POST', path: `/instance/v1/zones/${ZONE}/security_groups`, body: { name: 'dry-group', tags: [`mv-record=${draft.id}`], stateful: true, inbound_default_policy: 'accept', outbound_default_policy: 'accept' } },
    ]);
    const group = await createdGroup();
    const rule = await world.create('SecurityRule', { securityGroupId: group.id, serviceProviderId: world.providerId, protocol: 'UDP', ipRange: '0.0.0.0/0', destPortFrom: 53 });
    expect((await dryRun(world, 'SecurityRule', rule.id, 'createSecurityRule')).value.calls).toEqual([
      {
        method: 'POST',
        path: `/instance/v1/zones/${ZONE}/security_groups/${group.providerSideId}/rules`,
        body: { protocol: 'UDP', direction: 'inbound', action: 'accept', ip_range: '0.0.0.0/0', dest_port_from: 53, dest_port_to: null },
      },
    ]);
    expect(await dryRun(world, 'SecurityGroup', group.id, 'deleteSecurityGroup')).toMatchObject({ value: { calls: [{ method: 'DELETE' }] } });
    await world.api.call('admin', 'PATCH', `/api/v1/entities/SecurityGroup/${group.id}`, { inboundDefaultPolicy: 'drop' });
    expect((await dryRun(world, 'SecurityGroup', group.id, 'updateSecurityGroup')).value.calls).toEqual([
      { method: 'PATCH', path: `/instance/v1/zones/${ZONE}/security_groups/${group.providerSideId}`, body: expect.objectContaining({ inbound_default_policy: 'drop' }) },
    ]);
    expect(remoteGroup(group.providerSideId).inbound_default_policy).toBe('accept');
    expect(editable(group.providerSideId)).toEqual([]);

    const dns = await createdRule(group.id, { protocol: 'UDP', ipRange: '0.0.0.0/0', destPortFrom: 53 });
    await world.api.call('admin', 'PATCH', `/api/v1/entities/SecurityRule/${dns.id}`, { destPortFrom: 5353 });
    const rulePath = `/instance/v1/zones/${ZONE}/security_groups/${group.providerSideId}/rules/${dns.providerSideId}`;
    expect((await dryRun(world, 'SecurityRule', dns.id, 'updateSecurityRule')).value.calls).toEqual([{ method: 'PATCH', path: rulePath, body: expect.objectContaining({ dest_port_from: 5353 }) }]);
    expect((await dryRun(world, 'SecurityRule', dns.id, 'deleteSecurityRule')).value.calls).toEqual([{ method: 'DELETE', path: rulePath }]);
    expect(editable(group.providerSideId)).toEqual([expect.objectContaining({ id: dns.providerSideId, dest_port_from: 53 })]);
    expect(world.scw.state.securityGroups.has(group.providerSideId)).toBe(true);
  });
});
