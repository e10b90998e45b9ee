import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/runtime.js';
import { scalewayWorld, type ScalewayWorld } from '../support/scaleway.js';
import { dryRun } from './support.js';

const GB = 1_000_000_000;

describe.each(DIALECTS)('Scaleway servers on %s', (dialect) => {
  let world: ScalewayWorld;
  let ubuntu: { id: string };
  beforeAll(async () => {
    world = await scalewayWorld(dialect);
    const populated = await world.run('ServiceProvider', world.providerId, 'populateProviderFields');
    expect(populated.status).toBe('succeeded');
    ubuntu = (await world.list('ServerImage', '&label=ubuntu_noble&arch=x86_64'))[0];
  });
  afterAll(() => world.close());

  const newServer = (fields: Record<string, unknown> = {}) =>
    world.create('ScalewayServer', { name: `dev-web-${Math.random().toString(36).slice(2, 8)}`, serverType: 'DEV1-S', zone: 'fr-par-1', serviceProviderId: world.providerId, imageId: ubuntu.id, ...fields });

  it('populates server types with prices and constraints, public images with their labels, and IPs', async () => {
    const [dev1s] = await world.list('ServerType', '&name=DEV1-S&zone=fr-par-1');
    expect(dev1s).toMatchObject({ ncpus: 2, arch: 'x86_64', availability: 'available' });
    expect(dev1s.hourlyPrice).toBeGreaterThan(0);
    expect(dev1s.maxLocalVolumesSize).toBeGreaterThan(dev1s.minLocalVolumesSize);
    expect(ubuntu).toMatchObject({ label: 'ubuntu_noble', isPublic: true, ownership: 'observed' });
    // Run twice: the second run updates, it does not duplicate.
    const before = (await world.list('ServerImage')).length;
    await world.run('ServiceProvider', world.providerId, 'populateProviderFields');
    expect((await world.list('ServerImage')).length).toBe(before);
  });

  it('creates a server from an image, powers it on and records its volumes and IP', async () => {
    const server = await newServer();
    const job = await world.run('ScalewayServer', server.id, 'createServer');
    expect(job).toMatchObject({ status: 'succeeded', value: { state: 'running' } });
    expect(job.message).toMatch(/^Created dev-web-\w+ \([0-9a-f-]{36}\) in fr-par-1, running, public IP \d+\.\d+\.\d+\.\d+$/);
    const record = await world.get('ScalewayServer', server.id);
    expect(record).toMatchObject({ state: 'running', ownership: 'managed', providerSideId: job.value.id, arch: 'x86_64' });
    expect(record.allowedActions).toContain('poweroff');
    const volumes = await world.list('ServerVolume', `&serverId=${server.id}`);
    expect(volumes).toEqual([expect.objectContaining({ isBoot: true, volumeType: 'sbs_volume', size: 10 * GB, kind: 'volume' })]);
    const [ip] = await world.list('PublicIp', `&serverId=${server.id}`);
    expect(ip.address).toBe(record.publicIp);
    const remote = world.scw.state.servers.get(record.providerSideId)!;
    expect(remote.tags).toContain(`mv-record=${server.id}`);
    expect(record.tags).toEqual([]);
  });

  it('maps each power button to its Scaleway action and keeps the history', async () => {
    const server = await newServer();
    await world.run('ScalewayServer', server.id, 'createServer');
    expect((await world.run('ScalewayServer', server.id, 'poweroff')).message).toBe(`${server.name} is stopped`);
    expect((await world.run('ScalewayServer', server.id, 'poweron')).message).toBe(`${server.name} is running`);
    expect((await world.run('ScalewayServer', server.id, 'reboot')).message).toBe(`${server.name} is running`);
    expect((await world.run('ScalewayServer', server.id, 'stopInPlace')).message).toBe(`${server.name} is stopped in place`);
    const history = await world.list('ServerAction', `&serverId=${server.id}&sort=startedAt`);
    expect(history.map((h: { action: string; status: string }) => `${h.action}:${h.status}`)).toEqual([
      'poweron:success',
      'poweroff:success',
      'poweron:success',
      'reboot:success',
      'stop_in_place:success',
    ]);
    // poweroff is not offered while it is stopped in place... and poweron is.
    const refused = await world.run('ScalewayServer', server.id, 'stopInPlace');
    expect(refused).toMatchObject({ status: 'refused', httpStatus: 409 });
    expect(refused.error.message).toContain('Scaleway does not allow stop_in_place while it is stopped in place');
  });

  it('backs up a server into an image with its snapshots', async () => {
    const server = await newServer();
    await world.run('ScalewayServer', server.id, 'createServer');
    const job = await world.run('ScalewayServer', server.id, 'backup', { name: 'dev-web-nightly' });
    expect(job).toMatchObject({ status: 'succeeded', message: expect.stringMatching(/^Backed up dev-web-\w+ as image dev-web-nightly \(/) });
    const image = await world.get('ServerImage', job.value.recordId);
    expect(image).toMatchObject({ name: 'dev-web-nightly', state: 'available', isPublic: false, ownership: 'managed', fromServer: (await world.get('ScalewayServer', server.id)).providerSideId });
    const snapshots = await world.list('ServerVolume', `&imageId=${image.id}`);
    expect(snapshots).toEqual([expect.objectContaining({ kind: 'snapshot', volumeType: 'sbs_snapshot', isBoot: true })]);
    // The server's actions are offered again once the backup is done.
    expect((await world.get('ScalewayServer', server.id)).allowedActions).toContain('poweroff');
    expect((await world.run('ScalewayServer', server.id, 'poweroff')).status).toBe('succeeded');
  });

  it('refuses before calling: an oversized local root volume, a type out of stock, deleting a running server', async () => {
    const count = () => world.scw.state.servers.size;
    const before = count();
    const oversized = await newServer({ rootVolumeType: 'l_ssd', volumeSize: 500 * GB });
    const tooBig = await world.run('ScalewayServer', oversized.id, 'createServer');
    expect(tooBig).toMatchObject({ status: 'failed', error: { message: 'DEV1-S needs local volumes totalling 0 GB to 20 GB; the root volume is 500 GB', details: { field: 'volumeSize' } } });
    const noLocal = await newServer({ serverType: 'PRO2-XXS', rootVolumeType: 'l_ssd' });
    expect((await world.run('ScalewayServer', noLocal.id, 'createServer')).error.message).toBe('PRO2-XXS has no local storage: use a Block Storage (sbs_volume) root volume');
    const shortage = await firstTypeWith(world, 'shortage');
    const outOfStock = await newServer({ serverType: shortage });
    expect((await world.run('ScalewayServer', outOfStock.id, 'createServer')).error.message).toBe(`${shortage} is out of stock in fr-par-1 (shortage): choose another type or zone`);
    expect(count()).toBe(before);
    const running = await newServer();
    await world.run('ScalewayServer', running.id, 'createServer');
    const refused = await world.run('ScalewayServer', running.id, 'deleteServer');
    expect(refused).toMatchObject({ httpStatus: 409, error: { code: 'not_applicable', message: expect.stringContaining('it is running: power it off first') } });
  });

  it('updates name and tags, refuses a type change while running, and does it once stopped', async () => {
    const server = await newServer();
    await world.run('ScalewayServer', server.id, 'createServer');
    const edited = await world.api.call('admin', 'PATCH', `/api/v1/entities/ScalewayServer/${server.id}`, { name: `${server.name}-renamed`, tags: ['team-a'], serverType: 'DEV1-M' });
    expect(edited.status, edited.text).toBe(200);
    const refused = await world.run('ScalewayServer', server.id, 'updateServer');
    expect(refused.error).toMatchObject({ message: 'The server type can change only while the server is stopped; it is running (power it off first)', details: { field: 'serverType' } });
    await world.run('ScalewayServer', server.id, 'poweroff');
    expect((await world.run('ScalewayServer', server.id, 'updateServer')).status).toBe('succeeded');
    const record = await world.get('ScalewayServer', server.id);
    expect(record).toMatchObject({ name: `${server.name}-renamed`, tags: ['team-a'], serverType: 'DEV1-M' });
    expect(world.scw.state.servers.get(record.providerSideId)!.tags).toEqual(['team-a', `mv-record=${server.id}`]);
  });

  it('deletes a stopped server keeping its volumes, or with them', async () => {
    const keep = await newServer();
    await world.run('ScalewayServer', keep.id, 'createServer');
    await world.run('ScalewayServer', keep.id, 'poweroff');
    const kept = await world.run('ScalewayServer', keep.id, 'deleteServer');
    expect(kept.message).toMatch(/^Deleted dev-web-\w+; kept .* \(detached, still billed\)$/);
    expect((await world.api.call('admin', 'GET', `/api/v1/entities/ScalewayServer/${keep.id}`)).status).toBe(404);
    const [volume] = await world.list('ServerVolume', `&providerSideId=${kept.value.keptVolumes[0]}`);
    expect(volume.serverId).toBeNull();
    expect((await world.list('ServerAction', `&serverName=${keep.name}`)).length).toBeGreaterThan(0);

    const drop = await newServer();
    await world.run('ScalewayServer', drop.id, 'createServer');
    await world.run('ScalewayServer', drop.id, 'poweroff');
    const removed = await world.run('ScalewayServer', drop.id, 'deleteServerWithVolumes');
    expect(removed).toMatchObject({ status: 'succeeded', message: expect.stringMatching(/and its 1 volumes$/) });
    expect(world.scw.state.blockVolumes.has(removed.value.deletedVolumes[0])).toBe(false);
  });

  it('terminates a running server: local volumes go, the record goes', async () => {
    const server = await newServer({ rootVolumeType: 'l_ssd', volumeSize: 20 * GB });
    expect((await world.run('ScalewayServer', server.id, 'createServer')).status).toBe('succeeded');
    const job = await world.run('ScalewayServer', server.id, 'terminate');
    expect(job).toMatchObject({ status: 'succeeded', message: expect.stringMatching(/^Terminated dev-web-\w+, deleted 1 local volumes$/) });
    expect(await world.list('ServerVolume', `&serverId=${server.id}`)).toEqual([]);
  });

  it('sets, reads and lists user data', async () => {
    const server = await newServer();
    await world.run('ScalewayServer', server.id, 'createServer', { powerOn: false });
    const cloudInit = '#cloud-config\npackages:\n  - nginx\n';
    expect((await world.run('ScalewayServer', server.id, 'setUserData', { content: cloudInit })).status).toBe('succeeded');
    expect((await world.run('ScalewayServer', server.id, 'getUserData', { key: 'cloud-init' })).value).toEqual({ key: 'cloud-init', content: cloudInit });
    const mark = world.scw.journal.mark();
    const before = await world.list('ServerUserData', `&serverId=${server.id}`);
    expect((await dryRun(world, 'ScalewayServer', server.id, 'listUserData')).value.reads).toHaveLength(2);
    expect(world.scw.journal.since(mark)).toEqual([]);
    expect(await world.list('ServerUserData', `&serverId=${server.id}`)).toEqual(before);
    await world.run('ScalewayServer', server.id, 'listUserData');
    expect(await world.list('ServerUserData', `&serverId=${server.id}`)).toEqual([expect.objectContaining({ key: 'cloud-init', content: cloudInit })]);
    // It may hold passwords: viewers neither read it nor see it in a dry run's answer.
    const secretInit = '#cloud-config\nchpasswd: { list: "root:hunter2" }\n';
    expect(JSON.stringify(await dryRun(world, 'ScalewayServer', server.id, 'setUserData', { content: secretInit }))).not.toContain('hunter2');
    for (const path of [`/api/v1/entities/ServerUserData?serverId=${server.id}`, `/api/v1/entities/ScalewayServer/${server.id}/actions/getUserData`]) {
      const refused = await world.api.call('viewer', path.includes('actions') ? 'POST' : 'GET', path, path.includes('actions') ? {} : undefined);
      expect(refused.status).toBe(403);
    }
  });

  it('answers a dry run with the request it would send, and sends nothing', async () => {
    const server = await newServer({ tags: ['web'] });
    const before = world.scw.state.servers.size;
    const job = await world.run('ScalewayServer', server.id, 'createServer', {}, '&dryRun=true');
    expect(job.value).toMatchObject({ dryRun: true, calls: [{ method: 'POST', path: '/instance/v1/zones/fr-par-1/servers', body: { name: server.name, commercial_type: 'DEV1-S', tags: ['web', `mv-record=${server.id}`], volumes: { 0: { boot: true, size: 10 * GB, volume_type: 'sbs_volume' } } } }] });
    expect(job.message).toMatch(/^Dry run: create dev-web-\w+\. Would send POST \/instance\/v1\/zones\/fr-par-1\/servers; nothing was sent\.$/);
    expect(world.scw.state.servers.size).toBe(before);
  });
});

async function firstTypeWith(world: ScalewayWorld, availability: string): Promise<string> {
  const [type] = await world.list('ServerType', `&availability=${availability}&zone=fr-par-1`);
  expect(type, `a server type with availability ${availability} in fr-par-1`).toBeDefined();
  return type.name;
}
