import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startScalewayEmulator, type ScalewayEmulator } from '../../sandbox/scaleway/index.js';
import { client, waitFor, type Client } from './http.js';

const ZONE = '/instance/v1/zones/fr-par-1';
const BLOCK = '/block/v1/zones/fr-par-1';

describe('Scaleway emulator: API surface', () => {
  let scw: ScalewayEmulator;
  let api: Client;

  beforeAll(async () => {
    scw = await startScalewayEmulator({ transitionMs: 30 });
    api = client(scw.url);
  });
  afterAll(() => scw.close());
  beforeEach(() => scw.reset());

  describe('authentication', () => {
    it('requires X-Auth-Token on every API call', async () => {
      const reply = await client(scw.url, null).get(`${ZONE}/servers`);
      expect(reply.status).toBe(401);
      expect(reply.headers.get('content-type')).toBe('application/json');
      expect(reply.body).toEqual({ type: 'denied_authentication', message: 'authentication is denied', method: 'api_key', reason: 'invalid_argument' });
    });

    it('accepts only the configured token when one is set', async () => {
      const strict = await startScalewayEmulator({ token: 'secret' });
      try {
        expect((await client(strict.url, 'other').get(`${ZONE}/servers`)).body).toMatchObject({ type: 'denied_authentication', reason: 'not_found' });
        expect((await client(strict.url, 'secret').get(`${ZONE}/servers`)).status).toBe(200);
      } finally {
        await strict.close();
      }
    });
  });

  describe('pagination', () => {
    it('pages Instance lists with X-Total-Count and a Link header', async () => {
      scw.seed({ servers: 120 });
      const page = (n: number) => api.get(`${ZONE}/servers?page=${n}&per_page=50`);
      const first = await page(1);
      expect(first.headers.get('x-total-count')).toBe('120');
      expect(first.headers.get('link')).toBe('</servers?page=2&per_page=50&>; rel="next",</servers?page=3&per_page=50&>; rel="last"');
      expect(first.body.servers).toHaveLength(50);
      expect('total_count' in first.body).toBe(false); // production keeps the total in the header
      const second = await page(2);
      expect(second.headers.get('link')).toBe(
        '</servers?page=1&per_page=50&>; rel="first",</servers?page=1&per_page=50&>; rel="previous",</servers?page=3&per_page=50&>; rel="next",</servers?page=3&per_page=50&>; rel="last"',
      );
      const third = await page(3);
      expect(third.body.servers).toHaveLength(20);
      const ids = new Set([first, second, third].flatMap((reply) => reply.body.servers.map((server: { id: string }) => server.id)));
      expect(ids.size).toBe(120);
    });

    it('keeps the other query parameters in the Link header', async () => {
      const reply = await api.get(`${ZONE}/servers?name=none&order=creation_date_asc`);
      expect(reply.headers.get('link')).toBe('</servers?page=0&per_page=50&name=none&order=creation_date_asc>; rel="last"');
    });

    it('refuses more than 100 per page, in each API family shape', async () => {
      expect(await api.get(`${ZONE}/servers?per_page=101`)).toMatchObject({ status: 400, body: { type: 'invalid_request_error', fields: { per_page: [expect.any(String)] } } });
      expect(await api.get(`${BLOCK}/volumes?page_size=101`)).toMatchObject({ status: 400, body: { type: 'invalid_arguments', details: [{ argument_name: 'page_size' }] } });
    });

    it('lists 10,000 seeded servers page by page, quickly', async () => {
      const started = Date.now();
      expect(scw.seed({ servers: 10_000, volumesPerServer: 1, withIp: true, state: 'running' })).toEqual({ zone: 'fr-par-1', servers: 10_000, volumes: 20_000, ips: 10_000 });
      expect(Date.now() - started).toBeLessThan(3000);
      const seen = new Set<string>();
      for (let n = 1; n <= 100; n++) {
        const reply = await api.get(`${ZONE}/servers?per_page=100&page=${n}`);
        for (const server of reply.body.servers) seen.add(server.id);
      }
      expect(seen.size).toBe(10_000);
      expect(Date.now() - started).toBeLessThan(20_000);
    }, 30_000);
  });

  describe('catalogue', () => {
    it('sells commercial types as a map keyed by name, with prices and constraints', async () => {
      const reply = await api.get(`${ZONE}/products/servers?per_page=100`);
      expect(Number(reply.headers.get('x-total-count'))).toBeGreaterThan(100);
      const types = reply.body.servers;
      for (const name of ['DEV1-S', 'GP1-S', 'PLAY2-NANO', 'POP2-2C-8G']) expect(types).toHaveProperty([name]);
      expect(types['DEV1-S']).toMatchObject({ arch: 'x86_64', ncpus: 2, volumes_constraint: { max_size: 20_000_000_000 } });
      expect(types['DEV1-S'].hourly_price).toBeGreaterThan(0);
      expect(types['DEV1-S'].monthly_price).toBeCloseTo(types['DEV1-S'].hourly_price * 730, 1);
    });

    it('reports scarce and shortage availabilities, and refuses types out of stock', async () => {
      const pages = await Promise.all([1, 2].map((n) => api.get(`${ZONE}/products/servers/availability?per_page=100&page=${n}`)));
      const availability = Object.entries(Object.assign({}, ...pages.map((reply) => reply.body.servers))) as Array<[string, { availability: string }]>;
      const values = new Set(availability.map(([, value]) => value.availability));
      expect(values).toEqual(new Set(['available', 'scarce', 'shortage']));
      const [shortage] = availability.find(([, value]) => value.availability === 'shortage')!;
      const refused = await api.post(`${ZONE}/servers`, { commercial_type: shortage, image: 'ubuntu_jammy' });
      expect(refused).toMatchObject({ status: 503, body: { type: 'out_of_stock', resource: 'server' } });
    });

    it('resolves Marketplace labels to zone-local images', async () => {
      const reply = await api.get('/marketplace/v2/local-images?image_label=ubuntu_noble&zone=nl-ams-1&type=instance_sbs');
      expect(reply.body.total_count).toBe(2);
      const x86 = reply.body.local_images.find((image: { arch: string }) => image.arch === 'x86_64');
      expect(x86.compatible_commercial_types).toContain('POP2-2C-8G');
      const image = (await api.get(`/instance/v1/zones/nl-ams-1/images/${x86.id}`)).body.image;
      expect(image).toMatchObject({ name: 'Ubuntu 24.04 Noble Numbat', public: true, zone: 'nl-ams-1' });
      const server = (await api.post('/instance/v1/zones/nl-ams-1/servers', { commercial_type: 'PRO2-XS', image: 'ubuntu_noble' })).body.server;
      expect(server.image.id).toBe(x86.id);
    });

    it('answers 404 on the removed bootscripts endpoint', async () => {
      expect(await api.get(`${ZONE}/bootscripts`)).toMatchObject({ status: 404, body: { type: 'not_found' } });
    });
  });

  describe('block storage', () => {
    it('creates a volume (creating, then available), snapshots it and builds an image on it', async () => {
      const volume = await api.post(`${BLOCK}/volumes`, { name: 'data', perf_iops: 15000, from_empty: { size: 50_000_000_000 } });
      expect(volume).toMatchObject({ status: 200, body: { status: 'creating', type: 'sbs_15k', specs: { perf_iops: 15000, class: 'sbs' } } });
      await waitFor(() => api.get(`${BLOCK}/volumes/${volume.body.id}`), (reply) => reply.body.status === 'available');
      const snapshot = await api.post(`${BLOCK}/snapshots`, { volume_id: volume.body.id, name: 'snap' });
      expect(snapshot.body).toMatchObject({ status: 'creating', size: 50_000_000_000, parent_volume: { id: volume.body.id } });
      await waitFor(() => api.get(`${BLOCK}/snapshots/${snapshot.body.id}`), (reply) => reply.body.status === 'available');
      const image = (await api.post(`${ZONE}/images`, { name: 'golden', root_volume: snapshot.body.id, arch: 'x86_64' })).body.image;
      expect(image.root_volume).toEqual({ id: snapshot.body.id, name: '', volume_type: 'sbs_snapshot', size: 0 });
      expect((await api.get(`${BLOCK}/snapshots/${snapshot.body.id}`)).body.status).toBe('in_use');
      expect((await api.delete(`${BLOCK}/snapshots/${snapshot.body.id}`)).body).toMatchObject({ type: 'precondition_failed', precondition: 'resource_still_in_use' });
      expect((await api.delete(`${ZONE}/images/${image.id}`)).status).toBe(204);
      expect((await api.delete(`${BLOCK}/snapshots/${snapshot.body.id}`)).status).toBe(204);
      expect((await api.delete(`${BLOCK}/volumes/${volume.body.id}`)).status).toBe(204);
      expect((await api.get(`${BLOCK}/volumes/${volume.body.id}`)).body).toEqual({ type: 'not_found', message: 'resource is not found', resource: 'volume', resource_id: volume.body.id });
    });

    it('lists volumes with page_size and total_count', async () => {
      for (const name of ['a', 'b', 'c']) await api.post(`${BLOCK}/volumes`, { name, from_empty: { size: 10_000_000_000 } });
      const reply = await api.get(`${BLOCK}/volumes?page_size=2&page=2&order_by=name_desc`);
      expect(reply.body).toMatchObject({ total_count: 3, volumes: [{ name: 'a' }] });
    });
  });

  describe('instance resources', () => {
    it('creates local volumes whose size is a multiple of 512', async () => {
      const refused = await api.post(`${ZONE}/volumes`, { name: 'odd', volume_type: 'l_ssd', size: 10_000_000_001 });
      expect(refused).toMatchObject({ status: 400, body: { type: 'invalid_request_error', fields: { size: ['size must be a multiple of 512'] } } });
      const created = await api.post(`${ZONE}/volumes`, { name: 'scratchpad', volume_type: 'l_ssd', size: 10_000_000_000 });
      expect(created).toMatchObject({ status: 201, body: { volume: { state: 'available', server: null, export_uri: null } } });
      expect((await api.post(`${ZONE}/volumes`, { volume_type: 'sbs_volume', size: 10_000_000_000 })).status).toBe(400);
    });

    it('reserves IPs, attaches and detaches them by id or address', async () => {
      const ip = (await api.post(`${ZONE}/ips`, { tags: ['edge'] })).body.ip;
      expect(ip).toMatchObject({ type: 'routed_ipv4', state: 'detached', prefix: null, ipam_id: ip.id });
      const server = (await api.post(`${ZONE}/servers`, { commercial_type: 'DEV1-S', image: 'ubuntu_jammy', dynamic_ip_required: false })).body.server;
      expect((await api.patch(`${ZONE}/ips/${ip.address}`, { server: server.id })).body.ip).toMatchObject({ state: 'attached', server: { id: server.id } });
      const attached = (await api.get(`${ZONE}/servers/${server.id}`)).body.server;
      expect(attached.public_ips).toEqual([expect.objectContaining({ id: ip.id, address: ip.address, family: 'inet', provisioning_mode: 'dhcp' })]);
      expect(attached.public_ip.id).toBe(ip.id);
      expect((await api.patch(`${ZONE}/ips/${ip.id}`, { server: null })).body.ip.state).toBe('detached');
      expect((await api.delete(`${ZONE}/ips/${ip.address}`)).status).toBe(204);
      expect((await api.get(`${ZONE}/ips/${ip.id}`)).body).toMatchObject({ type: 'not_found', resource: 'instance_ip' });
    });

    it('gives every project a default security group, and sets rules as production shows them', async () => {
      await api.post(`${ZONE}/servers`, { commercial_type: 'DEV1-S', image: 'ubuntu_jammy', project: '11111111-2222-4333-8444-555555555555' });
      const groups = (await api.get(`${ZONE}/security_groups?project=11111111-2222-4333-8444-555555555555`)).body.security_groups;
      expect(groups).toEqual([expect.objectContaining({ name: 'Default security group', project_default: true, enable_default_security: true })]);
      const group = (await api.post(`${ZONE}/security_groups`, { name: 'web', inbound_default_policy: 'drop', enable_default_security: false })).body.security_group;
      const rules = await api.put(`${ZONE}/security_groups/${group.id}/rules`, {
        rules: [
          { action: 'accept', protocol: 'TCP', direction: 'inbound', ip_range: '0.0.0.0/0', dest_port_from: 443, dest_port_to: 443, position: 0 },
          { action: 'accept', protocol: 'ICMP', direction: 'inbound', ip_range: '10.1.2.3/32', dest_port_from: 7, position: 0 },
        ],
      });
      expect(rules.body.rules.map((rule: Record<string, unknown>) => [rule.position, rule.ip_range, rule.dest_port_from, rule.dest_port_to])).toEqual([
        [1, '0.0.0.0/0', 443, null],
        [2, '10.1.2.3', null, null],
      ]);
    });

    it('enforces quotas with the legacy Instance answer', async () => {
      const limited = await startScalewayEmulator({ quotas: { servers: 1 } });
      try {
        const limitedApi = client(limited.url);
        expect((await limitedApi.post(`${ZONE}/servers`, { commercial_type: 'DEV1-S', image: 'ubuntu_jammy' })).status).toBe(201);
        const refused = await limitedApi.post(`${ZONE}/servers`, { commercial_type: 'DEV1-S', image: 'ubuntu_jammy' });
        expect(refused).toMatchObject({ status: 403, body: { type: 'invalid_request_error', message: 'Quota exceeded for this resource.', resource: 'servers' } });
      } finally {
        await limited.close();
      }
    });
  });
});
