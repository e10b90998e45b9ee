import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../core/runtime.js';
import { DIALECTS, startRuntime } from '../support/runtime.js';
import { scalewayWorld, type ScalewayWorld } from '../support/scaleway.js';
import { startWorkerProcess, until } from '../support/worker.js';

const serversTagged = (world: ScalewayWorld, recordId: string) => [...world.scw.state.servers.values()].filter((s) => s.tags.includes(`mv-record=${recordId}`));

describe.each(DIALECTS)('Scaleway faults on %s', (dialect) => {
  let world: ScalewayWorld;
  let child: ChildProcess | undefined;
  let successor: Runtime | undefined;
  afterEach(async () => {
    child?.kill('SIGKILL');
    child = undefined;
    await successor?.close();
    successor = undefined;
    await world.close();
  });

  async function serverRecord() {
    const [image] = await world.list('ServerImage', '&label=ubuntu_noble&arch=x86_64');
    return world.create('ScalewayServer', { name: 'dev-api', serverType: 'DEV1-S', zone: 'fr-par-1', serviceProviderId: world.providerId, imageId: image.id });
  }

  it('rides out a storm of bare 429s, slowing the whole account down', async () => {
    world = await scalewayWorld(dialect);
    await world.run('ServiceProvider', world.providerId, 'populateProviderFields');
    const server = await serverRecord();
    await fetch(`${world.scw.url}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rateLimit: { count: 7, shape: 'bare' } }) });
    const job = await world.run('ScalewayServer', server.id, 'createServer');
    expect(job).toMatchObject({ status: 'succeeded', value: { state: 'running' } });
    expect(world.scw.faults.plan.rateLimit?.count ?? 0).toBe(0);
    expect(serversTagged(world, server.id)).toHaveLength(1);
  });

  it('adopts the server whose create answer was lost, instead of creating a second one', async () => {
    world = await scalewayWorld(dialect);
    await world.run('ServiceProvider', world.providerId, 'populateProviderFields');
    const server = await serverRecord();
    world.scw.faults.set({ dropAfterCommit: { method: 'POST', path: '/instance/v1/zones/*/servers', count: 1 } });
    const job = await world.run('ScalewayServer', server.id, 'createServer');
    expect(job.status).toBe('succeeded');
    expect(job.steps.map((s: { message: string }) => s.message)).toContain(`The create answer was lost, but the server exists (${job.value.id}): adopting it`);
    const [remote] = serversTagged(world, server.id);
    expect(serversTagged(world, server.id)).toHaveLength(1);
    expect((await world.get('ScalewayServer', server.id)).providerSideId).toBe(remote.id);
  });

  it('finishes a create whose worker died during the wait, without creating twice', async () => {
    // The server takes seconds to boot, and no worker runs in this process: the job runs in a child.
    world = await scalewayWorld(dialect, { transitionMs: 3_000, runtime: { worker: false } });
    const populate = await world.runtime.runner.invoke({ entity: 'ServiceProvider', action: 'populateProviderFields', recordId: world.providerId, actor: { kind: 'cli', id: 't', name: 't', role: 'admin' } });
    child = await startWorkerProcess(world.db, 'bundled');
    await until('the catalogue', async () => ((await world.runtime.queue.get(populate[0].id)).status === 'succeeded' ? true : undefined));
    const server = await serverRecord();
    const [job] = await world.runtime.runner.invoke({ entity: 'ScalewayServer', action: 'createServer', recordId: server.id, actor: { kind: 'cli', id: 't', name: 't', role: 'operator' } });
    await until('the worker to wait for the boot', async () => {
      const current = await world.runtime.queue.get(job.id);
      return current.steps.some((s) => s.message.endsWith('is starting')) ? current : undefined;
    });
    child.kill('SIGKILL');
    child = undefined;
    expect((await world.get('ScalewayServer', server.id)).providerSideId).toBeTruthy();

    successor = await startRuntime(world.db, { worker: true, config: { jobLeaseMs: 1_000 } });
    const done = await until('the resumed job to end', async () => {
      const current = await world.runtime.queue.get(job.id);
      return ['succeeded', 'failed'].includes(current.status) ? current : undefined;
    }, 30_000);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(serversTagged(world, server.id)).toHaveLength(1);
    expect(await world.get('ScalewayServer', server.id)).toMatchObject({ state: 'running' });
  });

  it('refuses to send the credential to a host the provider does not list', async () => {
    world = await scalewayWorld(dialect);
    await world.api.call('admin', 'PATCH', `/api/v1/entities/ServiceProvider/${world.providerId}`, { allowedApiHosts: ['api.scaleway.com'] });
    const job = await world.run('ServiceProvider', world.providerId, 'populateProviderFields');
    expect(job.error.message).toBe(
      "Refusing to send the Scaleway credential to 127.0.0.1: it is not one of the provider's allowed API hosts (api.scaleway.com). Add it to the ServiceProvider's allowed hosts or to MV_ALLOWED_API_HOSTS if it is legitimate.",
    );
  });
});
