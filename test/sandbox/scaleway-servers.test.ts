import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startScalewayEmulator, type ScalewayEmulator } from '../../sandbox/scaleway/index.js';
import { client, waitFor, type Client } from './http.js';

const ZONE = '/instance/v1/zones/fr-par-1';
const BLOCK = '/block/v1/zones/fr-par-1';

describe('Scaleway emulator: servers', () => {
  let scw: ScalewayEmulator;
  let api: Client;

  // long enough to observe the intermediate states of a transition, short enough to wait for it
  beforeAll(async () => {
    scw = await startScalewayEmulator({ transitionMs: 200 });
    api = client(scw.url);
  });
  afterAll(() => scw.close());
  beforeEach(() => scw.reset());

  const createServer = async (body: Record<string, unknown> = {}) => {
    const reply = await api.post(`${ZONE}/servers`, { name: 'web', commercial_type: 'DEV1-S', image: 'ubuntu_jammy', dynamic_ip_required: false, ...body });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    return reply.body.server;
  };
  const action = (id: string, name: string, extra: Record<string, unknown> = {}) => api.post(`${ZONE}/servers/${id}/action`, { action: name, ...extra });
  const server = async (id: string) => (await api.get(`${ZONE}/servers/${id}`)).body.server;
  const untilState = (id: string, state: string) => waitFor(() => api.get(`${ZONE}/servers/${id}`), (reply) => reply.body.server?.state === state);

  it('creates a stopped server booting from an SBS volume made from the image', async () => {
    const created = await createServer();
    expect(created).toMatchObject({ state: 'stopped', allowed_actions: ['poweron', 'backup'], hostname: 'web', location: null });
    expect(created.image.name).toBe('Ubuntu 22.04 Jammy Jellyfish');
    expect(created.security_group.name).toBe('Default security group');
    const root = created.volumes['0'];
    expect(root).toMatchObject({ volume_type: 'sbs_volume', state: 'available' });
    const volume = (await api.get(`${BLOCK}/volumes/${root.id}`)).body;
    expect(volume).toMatchObject({ status: 'in_use', name: 'Ubuntu 22.04 Jammy Jellyfish_sbs_volume_0', size: 10_000_000_000 });
    expect(volume.references[0]).toMatchObject({ product_resource_type: 'instance_server', product_resource_id: created.id, type: 'exclusive' });
    expect((await api.get(`${ZONE}/volumes/${root.id}`)).status).toBe(404); // SBS volumes are not Instance volumes
  });

  it('boots through starting to running, with the allowed actions of each state', async () => {
    const { id } = await createServer();
    const task = await action(id, 'poweron');
    expect(task).toMatchObject({ status: 202, body: { task: { status: 'pending', href_result: `/servers/${id}` } } });
    expect(await server(id)).toMatchObject({ state: 'starting', state_detail: 'allocating node', allowed_actions: ['stop_in_place', 'backup'] });
    const running = (await untilState(id, 'running')).body.server;
    expect(running).toMatchObject({ state_detail: 'booting kernel', allowed_actions: ['poweroff', 'terminate', 'reboot', 'stop_in_place', 'backup'] });
    expect(running.location.zone_id).toBe('fr-par-1');
    expect((await api.get(`${ZONE}/servers/${id}/action`)).body.actions).toEqual(running.allowed_actions);
  });

  it('stops in place, then powers off', async () => {
    const { id } = await createServer();
    await action(id, 'poweron');
    await untilState(id, 'running');
    await action(id, 'stop_in_place');
    expect((await server(id)).state_detail).toBe('stopping in place');
    const stoppedInPlace = (await untilState(id, 'stopped in place')).body.server;
    expect(stoppedInPlace.allowed_actions).toEqual(['poweron', 'poweroff', 'terminate', 'reboot', 'backup']);
    await action(id, 'poweroff');
    expect((await untilState(id, 'stopped')).body.server.location).toBeNull();
  });

  it('refuses actions that do not fit the state, in production shapes', async () => {
    const { id } = await createServer();
    expect(await action(id, 'terminate')).toMatchObject({ status: 400, body: { type: 'invalid_request_error', message: 'server should be running' } });
    await action(id, 'poweron');
    expect(await action(id, 'poweroff')).toMatchObject({ status: 409, body: { type: 'transient_state', resource: 'instance_server', current_state: 'starting' } });
    await untilState(id, 'running');
    expect(await action(id, 'poweron')).toMatchObject({ status: 400, body: { message: 'server should be stopped' } });
    expect(await action(id, 'dance')).toMatchObject({ status: 400, body: { type: 'invalid_request_error', fields: { action: [expect.any(String)] } } });
    expect(await api.delete(`${ZONE}/servers/${id}`)).toMatchObject({ status: 400, body: { message: 'server should be stopped' } });
  });

  it('refuses every action on a locked server', async () => {
    scw.seed({ servers: 1, state: 'locked' });
    const [locked] = (await api.get(`${ZONE}/servers`)).body.servers;
    expect(locked).toMatchObject({ state: 'locked', allowed_actions: [] });
    expect(await action(locked.id, 'poweroff')).toMatchObject({ status: 423, body: { type: 'locked', resource_id: locked.id } });
  });

  it('terminates a running server: deleted, SBS volume detached but kept, IP detached', async () => {
    const ip = (await api.post(`${ZONE}/ips`, {})).body.ip;
    const { id, volumes } = await createServer({ public_ips: [ip.id] });
    await action(id, 'poweron');
    await untilState(id, 'running');
    await action(id, 'terminate');
    expect(await server(id)).toMatchObject({ state: 'stopping', state_detail: 'terminating', public_ips: [] });
    await waitFor(() => api.get(`${ZONE}/servers/${id}`), (reply) => reply.status === 404);
    expect((await api.get(`${ZONE}/servers/${id}`)).body).toEqual({ type: 'not_found', message: 'resource is not found', resource: 'instance_server', resource_id: id });
    expect((await api.get(`${BLOCK}/volumes/${volumes['0'].id}`)).body).toMatchObject({ status: 'available', references: [] });
    expect((await api.get(`${ZONE}/ips/${ip.address}`)).body.ip).toMatchObject({ state: 'detached', server: null });
  });

  it('terminate deletes local volumes', async () => {
    const { id, volumes } = await createServer({ volumes: { 0: { volume_type: 'l_ssd', size: 20_000_000_000 } } });
    expect(volumes['0']).toMatchObject({ volume_type: 'l_ssd', name: 'Ubuntu 22.04 Jammy Jellyfish', server: { id } });
    await action(id, 'poweron');
    await untilState(id, 'running');
    await action(id, 'terminate');
    expect((await server(id)).allowed_actions).toEqual([]); // the local volume is being deleted
    await waitFor(() => api.get(`${ZONE}/volumes/${volumes['0'].id}`), (reply) => reply.status === 404);
  });

  it('deletes a stopped server and keeps its volumes', async () => {
    const { id, volumes } = await createServer();
    expect((await api.delete(`${ZONE}/servers/${id}`)).status).toBe(204);
    expect((await api.get(`${BLOCK}/volumes/${volumes['0'].id}`)).body.status).toBe('available');
  });

  it('backs up every volume into an image, creating then available', async () => {
    const { id } = await createServer({ name: 'db', volumes: { 0: { volume_type: 'l_ssd', size: 15_000_000_000 }, 1: { volume_type: 'l_ssd', size: 5_000_000_000 } } });
    const reply = await action(id, 'backup');
    expect(reply.status).toBe(202);
    const imageId = reply.body.task.href_result.replace('/images/', '');
    const image = (await api.get(`${ZONE}/images/${imageId}`)).body.image;
    expect(image).toMatchObject({ state: 'creating', from_server: id, public: false });
    expect(image.name).toMatch(/^image_db_\d{4}-\d\d-\d\d_\d\d-\d\d$/);
    expect(image.root_volume).toMatchObject({ volume_type: 'l_ssd', size: 15_000_000_000, name: `${image.name}_snap_0` });
    expect(image.extra_volumes['1']).toMatchObject({ volume_type: 'l_ssd', size: 5_000_000_000 });
    expect((await server(id)).allowed_actions).toEqual([]);
    expect((await api.get(`${ZONE}/volumes/${(await server(id)).volumes['0'].id}`)).body.volume.state).toBe('snapshotting');
    await waitFor(() => api.get(`${ZONE}/images/${imageId}`), (answer) => answer.body.image.state === 'available');
    expect((await server(id)).allowed_actions).toEqual(['poweron', 'backup']);
    expect((await api.get(`${ZONE}/snapshots/${image.root_volume.id}`)).body.snapshot.state).toBe('available');
    expect((await api.get(`${ZONE}/images?name=image_db`)).body.images.map((found: { id: string }) => found.id)).toEqual([imageId]);
  });

  it('backs up SBS volumes into Block snapshots linked to the image', async () => {
    const { id } = await createServer({ name: 'app', image: 'ubuntu_noble' });
    const { task } = (await action(id, 'backup', { name: 'nightly' })).body;
    const image = (await api.get(`${ZONE}${task.href_result}`)).body.image;
    expect(image).toMatchObject({ name: 'nightly', root_volume: { volume_type: 'sbs_snapshot', size: 0, name: '' } });
    const snapshot = await waitFor(() => api.get(`${BLOCK}/snapshots/${image.root_volume.id}`), (reply) => reply.body.status === 'in_use');
    expect(snapshot.body.references[0]).toMatchObject({ product_resource_type: 'instance_image', product_resource_id: image.id, type: 'link' });
  });

  it('keeps user data as raw text', async () => {
    const { id } = await createServer();
    const cloudInit = '#cloud-config\npackages:\n  - nginx\n';
    expect((await api.patchText(`${ZONE}/servers/${id}/user_data/cloud-init`, cloudInit)).status).toBe(204);
    await api.patchText(`${ZONE}/servers/${id}/user_data/env`, 'A=1');
    expect((await api.get(`${ZONE}/servers/${id}/user_data`)).body).toEqual({ user_data: ['cloud-init', 'env'] });
    const value = await api.get(`${ZONE}/servers/${id}/user_data/cloud-init`);
    expect(value.headers.get('content-type')).toBe('text/plain');
    expect(value.body).toBe(cloudInit);
    expect((await api.delete(`${ZONE}/servers/${id}/user_data/env`)).status).toBe(204);
    expect((await api.get(`${ZONE}/servers/${id}/user_data/env`)).status).toBe(404);
  });

  it('updates a server, changing its type only when stopped', async () => {
    const { id } = await createServer();
    const updated = await api.patch(`${ZONE}/servers/${id}`, { name: 'web-2', tags: ['prod'], commercial_type: 'DEV1-M' });
    expect(updated.body.server).toMatchObject({ name: 'web-2', hostname: 'web-2', tags: ['prod'], commercial_type: 'DEV1-M' });
    await action(id, 'poweron');
    expect((await api.patch(`${ZONE}/servers/${id}`, { commercial_type: 'DEV1-L' })).status).toBe(400);
  });

  it('attaches and detaches SBS volumes', async () => {
    const { id } = await createServer();
    const volume = (await api.post(`${BLOCK}/volumes`, { name: 'data', from_empty: { size: 20_000_000_000 } })).body;
    const attached = await api.post(`${ZONE}/servers/${id}/attach-volume`, { volume_id: volume.id, volume_type: 'sbs_volume' });
    expect(attached.body.server.volumes['1']).toMatchObject({ id: volume.id, volume_type: 'sbs_volume' });
    expect((await api.get(`${BLOCK}/volumes?product_resource_id=${id}`)).body.total_count).toBe(2);
    const detached = await api.post(`${ZONE}/servers/${id}/detach-volume`, { volume_id: volume.id });
    expect(Object.keys(detached.body.server.volumes)).toEqual(['0']);
    expect((await api.get(`${BLOCK}/volumes/${volume.id}`)).body.last_detached_at).not.toBeNull();
  });

  it('enforces the local storage limits of the commercial type', async () => {
    const tooBig = await api.post(`${ZONE}/servers`, { commercial_type: 'DEV1-S', image: 'ubuntu_jammy', volumes: { 0: { volume_type: 'l_ssd', size: 25_000_000_000 } } });
    expect(tooBig).toMatchObject({ status: 400, body: { type: 'invalid_request_error' } });
    const noLocal = await api.post(`${ZONE}/servers`, { commercial_type: 'PRO2-S', image: 'ubuntu_jammy', volumes: { 0: { volume_type: 'l_ssd', size: 10_000_000_000 } } });
    expect(noLocal.body.message).toMatch(/no local storage/);
  });

  it('lists servers with production filters', async () => {
    await createServer({ name: 'web-1', tags: ['web', 'prod'] });
    await createServer({ name: 'web-2', tags: ['web'] });
    await createServer({ name: 'db-1', tags: ['prod'], project: '11111111-2222-4333-8444-555555555555' });
    const names = async (query: string) => (await api.get(`${ZONE}/servers?${query}`)).body.servers.map((found: { name: string }) => found.name);
    expect(await names('')).toEqual(['db-1', 'web-2', 'web-1']); // newest first
    expect(await names('order=creation_date_asc')).toEqual(['web-1', 'web-2', 'db-1']);
    expect(await names('name=web')).toEqual(['web-2', 'web-1']);
    expect(await names('tags=web,prod')).toEqual(['web-1']);
    expect(await names('project=11111111-2222-4333-8444-555555555555')).toEqual(['db-1']);
    expect(await names('state=running')).toEqual([]);
  });
});
