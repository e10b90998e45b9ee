import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/runtime.js';
import type { ScalewayWorld } from '../support/scaleway.js';
import { populatedWorld, scalewayDirect, suffix } from './support.js';

const GB = 1_000_000_000;
const ZONE = 'fr-par-1';
const SERVERS = `/instance/v1/zones/${ZONE}/servers`;

/** What Scaleway refuses, as the user reads it in the job; what the client rides out; the default import prefix. */
describe.each(DIALECTS)('Scaleway errors and faults through actions on %s', (dialect) => {
  let world: ScalewayWorld;
  let ubuntu: { id: string };
  beforeAll(async () => {
    ({ world, ubuntu } = await populatedWorld(dialect));
  });
  afterAll(() => world.close());

  const newServer = () => world.create('ScalewayServer', { name: `dev-err-${suffix()}`, serverType: 'DEV1-S', zone: ZONE, serviceProviderId: world.providerId, imageId: ubuntu.id });
  const running = async () => {
    const server = await newServer();
    expect((await world.run('ScalewayServer', server.id, 'createServer')).status).toBe('succeeded');
    return world.get('ScalewayServer', server.id);
  };
  const tagged = (recordId: string) => [...world.scw.state.servers.values()].filter((s) => s.tags.includes(`mv-record=${recordId}`));

  it('shows a quota refusal (the legacy Instance answer) as quotas_exceeded, naming the resource', async () => {
    const server = await newServer();
    world.scw.config.quotas.servers = 0;
    let job;
    try {
      job = await world.run('ScalewayServer', server.id, 'createServer');
    } finally {
      delete world.scw.config.quotas.servers;
    }
    expect(job).toMatchObject({
      status: 'failed',
      error: {
        message: `Scaleway createServer (POST ${SERVERS}): 403 quotas_exceeded: Quota exceeded for this resource: servers`,
        details: { status: 403, providerCode: 'quotas_exceeded', details: { resource: 'servers' } },
      },
    });
    expect(tagged(server.id)).toEqual([]);
    expect((await world.get('ScalewayServer', server.id)).providerSideId).toBeNull();
  });

  it('shows a precondition_failed with its help message', async () => {
    // A standalone Block snapshot of ours, which someone then built an image on at Scaleway.
    const server = await running();
    const backup = await world.run('ScalewayServer', server.id, 'backup', { name: `${server.name}-img` });
    const [snapshot] = await world.list('ServerVolume', `&imageId=${backup.value.recordId}`);
    expect((await world.run('ServerImage', backup.value.recordId, 'deleteImage')).status).toBe('succeeded');
    expect((await scalewayDirect(world).post(`/instance/v1/zones/${ZONE}/images`, { name: 'ops-golden', root_volume: snapshot.providerSideId, arch: 'x86_64' })).status).toBe(201);

    const job = await world.run('ServerVolume', snapshot.id, 'deleteVolume');
    expect(job).toMatchObject({
      status: 'failed',
      error: {
        code: 'precondition_failed',
        message: `Scaleway deleteBlockSnapshot (DELETE /block/v1/zones/${ZONE}/snapshots/${snapshot.providerSideId}): 412 precondition_failed: precondition failed: an image is built on the snapshot`,
      },
    });
    expect(await world.get('ServerVolume', snapshot.id)).toMatchObject({ providerSideId: snapshot.providerSideId });
  });

  it('shows invalid_arguments field by field', async () => {
    const volume = await world.create('ServerVolume', { name: `dev-iops-${suffix()}`, zone: ZONE, serviceProviderId: world.providerId, volumeType: 'sbs_volume', size: 10 * GB, iops: 7000 });
    const job = await world.run('ServerVolume', volume.id, 'createVolume');
    expect(job).toMatchObject({
      status: 'failed',
      error: {
        code: 'validation_failed',
        message: `Scaleway createBlockVolume (POST /block/v1/zones/${ZONE}/volumes): 400 invalid_arguments: invalid argument(s) — perf_iops: must be one of 5000, 15000`,
        details: { fields: { perf_iops: ['must be one of 5000, 15000'] } },
      },
    });
  });

  it('retries an action Scaleway refuses while the server is in transition (transient_state)', async () => {
    const server = await running();
    // Long enough for the job to meet the reboot under way; backoff long enough to outlast it.
    world.scw.config.transitionMs = 400;
    const base = process.env.MV_RETRY_BASE_MS;
    process.env.MV_RETRY_BASE_MS = '25';
    try {
      expect((await scalewayDirect(world).post(`${SERVERS}/${server.providerSideId}/action`, { action: 'reboot' })).status).toBe(202);
      const mark = world.scw.journal.mark();
      const job = await world.run('ScalewayServer', server.id, 'poweroff');
      expect(job, JSON.stringify(job.error)).toMatchObject({ status: 'succeeded', message: `${server.name} is stopped` });
      const sent = world.scw.journal.since(mark).filter((r) => r.method === 'POST' && r.path === `${SERVERS}/${server.providerSideId}/action`);
      expect(sent.length, 'poweroff sent again after transient_state').toBeGreaterThan(1);
    } finally {
      world.scw.config.transitionMs = 30;
      if (base === undefined) delete process.env.MV_RETRY_BASE_MS;
      else process.env.MV_RETRY_BASE_MS = base;
    }
    expect((await world.list('ServerAction', `&serverId=${server.id}&sort=startedAt`)).map((h: { action: string; status: string }) => `${h.action}:${h.status}`)).toEqual(['poweron:success', 'poweroff:success']);
  });

  it('rides out a burst of 5xx answers: creates exactly one server, and powers it off through failing reads', async () => {
    const server = await newServer();
    world.scw.faults.set({ serverErrors: { count: 4, status: 503 } });
    const job = await world.run('ScalewayServer', server.id, 'createServer');
    expect(job, JSON.stringify(job.error)).toMatchObject({ status: 'succeeded', value: { state: 'running' } });
    expect(world.scw.faults.plan.serverErrors?.count ?? 0).toBe(0);
    expect(tagged(server.id)).toHaveLength(1);

    // A 500 may have done the work: only reads (idempotent) are repeated.
    world.scw.faults.set({ serverErrors: { method: 'GET', count: 3, status: 500 } });
    const off = await world.run('ScalewayServer', server.id, 'poweroff');
    expect(off, JSON.stringify(off.error)).toMatchObject({ status: 'succeeded', message: `${server.name} is stopped` });
    expect(world.scw.faults.plan.serverErrors?.count ?? 0).toBe(0);
  });

  it('imports only dev-* servers with a provider left at its default import prefix', async () => {
    const created = await world.api.call('admin', 'POST', '/api/v1/entities/ServiceProvider', {
      name: 'Scaleway defaults',
      code: 'SCALEWAY',
      apiBaseUrl: world.scw.url,
      credentialId: world.credentialId,
      allowedApiHosts: ['127.0.0.1'],
      zones: [ZONE],
      requestsPerSecond: 200,
      requestBurst: 200,
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.importNamePrefix).toBe('dev-');
    world.scw.seed({ zone: ZONE, servers: 3, namePrefix: 'dev-keep' });
    // Scaleway's name filter matches anywhere in the name: the prefix is checked here.
    world.scw.seed({ zone: ZONE, servers: 2, namePrefix: 'ops-dev-skip' });
    world.scw.seed({ zone: ZONE, servers: 2, namePrefix: 'prod-web' });

    const job = await world.run('ScalewayServer', null, 'syncServers', { serviceProviderId: created.body.id });
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    expect(job.message).toMatch(/; only names starting with "dev-"$/);
    const imported = (await world.list('ScalewayServer', `&serviceProviderId=${created.body.id}`)).map((s) => s.name).sort();
    const expected = [...world.scw.state.servers.values()].filter((s) => s.zone === ZONE && s.name.startsWith('dev-')).map((s) => s.name).sort();
    expect(imported).toEqual(expected);
    expect(imported).toEqual(expect.arrayContaining(['dev-keep-1', 'dev-keep-2', 'dev-keep-3']));
  });
});
