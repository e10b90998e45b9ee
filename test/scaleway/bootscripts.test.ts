import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingServer } from '../support/http-server.js';
import { DIALECTS } from '../support/runtime.js';
import { scalewayWorld, type ScalewayWorld } from '../support/scaleway.js';

const bootscript = (id: string, title: string) => ({
  id, title, arch: 'x86_64', bootcmdargs: 'LINUX_COMMON scaleway boot=local', dtb: '', initrd: `http://mirror/initrd-${id}.gz`, kernel: `http://mirror/kernel-${id}`,
  default: id === 'b1', public: true, organization: 'scw', project: 'scw', zone: 'fr-par-1',
});

describe.each(DIALECTS)('Scaleway bootscripts on %s', (dialect) => {
  let world: ScalewayWorld;
  beforeAll(async () => {
    world = await scalewayWorld(dialect);
  });
  afterAll(() => world.close());

  it('says clearly that Scaleway removed bootscripts when the API answers 404', async () => {
    const job = await world.run('Bootscript', null, 'listBootscripts');
    expect(job).toMatchObject({
      status: 'failed',
      error: { message: 'Scaleway no longer offers bootscripts (removed from the Instance API in 2024; the API answers 404 in fr-par-1). Servers boot from their volume (boot type "local").' },
    });
    expect(await world.list('Bootscript')).toEqual([]);
  });

  it('imports them where an API still answers, and lets go of those it no longer lists', async () => {
    let listed = [bootscript('b1', 'x86_64 mainline 4.4.230 rev1'), bootscript('b2', 'x86_64 mainline 5.4 rev2')];
    const legacy = await recordingServer((req, _i, res) => {
      const ok = req.url.startsWith('/instance/v1/zones/fr-par-1/bootscripts');
      res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(ok ? { bootscripts: listed } : { type: 'not_found', message: 'resource is not found' }));
    });
    try {
      const admin = (method: string, path: string, body: unknown) => world.api.call('admin', method, path, body).then((r) => r.body);
      const credential = await admin('POST', '/api/v1/entities/Credential', { domainName: `127.0.0.1:${legacy.port}`, authenticationType: 'API_KEY', headerKey: 'X-Auth-Token', apiKey: 'legacy-key' });
      const provider = await admin('POST', '/api/v1/entities/ServiceProvider', {
        name: 'Legacy Scaleway', code: 'SCALEWAY', apiBaseUrl: legacy.url, credentialId: credential.id, allowedApiHosts: ['127.0.0.1'], zones: ['fr-par-1'],
      });
      const job = await world.run('Bootscript', null, 'listBootscripts', { serviceProviderId: provider.id });
      expect(job).toMatchObject({ status: 'succeeded', message: 'Synced 2 bootscripts of Legacy Scaleway in fr-par-1 (2 new)' });
      expect(legacy.requests[0].headers['x-auth-token']).toBe('legacy-key');
      const [b1] = await world.list('Bootscript', '&providerSideId=b1');
      expect(b1).toMatchObject({ title: 'x86_64 mainline 4.4.230 rev1', isDefault: true, isPublic: true, ownership: 'observed', zone: 'fr-par-1', dtb: null, kernel: 'http://mirror/kernel-b1' });

      listed = listed.slice(1);
      expect((await world.run('Bootscript', null, 'listBootscripts', { serviceProviderId: provider.id })).status).toBe('succeeded');
      expect((await world.list('Bootscript')).map((b: { providerSideId: string }) => b.providerSideId)).toEqual(['b2']);
    } finally {
      await legacy.close();
    }
  });
});
