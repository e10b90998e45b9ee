import type { Runtime } from '../../core/runtime.js';
import { startScalewayEmulator, type ScalewayEmulator } from '../../sandbox/scaleway/index.js';
import { startApi, type TestApi } from './api.js';
import { startRuntime, testDatabase, type Dialect, type TestDatabase, type StartOptions } from './runtime.js';

// Waits poll the emulator, and retries back off, every few milliseconds instead of seconds.
process.env.MV_POLL_INTERVAL_MS ??= '15';
process.env.MV_RETRY_BASE_MS ??= '5';

export interface ScalewayWorld {
  db: TestDatabase;
  scw: ScalewayEmulator;
  runtime: Runtime;
  api: TestApi;
  providerId: string;
  credentialId: string;
  /** Runs an action through the API and waits for its end; returns the job. */
  run(entity: string, recordId: string | null, action: string, params?: Record<string, unknown>, query?: string): Promise<any>;
  create(entity: string, fields: Record<string, unknown>): Promise<any>;
  get(entity: string, id: string): Promise<any>;
  list(entity: string, query?: string): Promise<any[]>;
  close(): Promise<void>;
}

/**
 * The Scaleway emulator, a runtime with a worker, the API, and a Scaleway credential and service provider
 * pointing at the emulator (allowed host 127.0.0.1), as a user would set them up.
 */
export async function scalewayWorld(dialect: Dialect, options: { transitionMs?: number; zones?: string[]; runtime?: StartOptions } = {}): Promise<ScalewayWorld> {
  const db = await testDatabase(dialect);
  const scw = await startScalewayEmulator({ transitionMs: options.transitionMs ?? 30, token: 'scw-secret-key' });
  const runtime = await startRuntime(db, { worker: true, ...options.runtime });
  const api = await startApi(runtime);
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await api.call('admin', method, path, body);
    if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
    return response.body;
  };
  const credential = await call('POST', '/api/v1/entities/Credential', { domainName: new URL(scw.url).host, authenticationType: 'API_KEY', headerKey: 'X-Auth-Token', apiKey: 'scw-secret-key' });
  const provider = await call('POST', '/api/v1/entities/ServiceProvider', {
    name: 'Scaleway test',
    code: 'SCALEWAY',
    apiBaseUrl: scw.url,
    credentialId: credential.id,
    allowedApiHosts: ['127.0.0.1'],
    zones: options.zones ?? ['fr-par-1'],
    importNamePrefix: '',
    requestsPerSecond: 200,
    requestBurst: 200,
    maxConcurrentRequests: 16,
  });
  return {
    db,
    scw,
    runtime,
    api,
    providerId: provider.id,
    credentialId: credential.id,
    async run(entity, recordId, action, params = {}, query = '') {
      const path = recordId ? `/api/v1/entities/${entity}/${recordId}/actions/${action}` : `/api/v1/entities/${entity}/actions/${action}`;
      const started = await api.call('admin', 'POST', `${path}?wait=60${query}`, params);
      if (started.status >= 400) return { status: 'refused', httpStatus: started.status, error: started.body.error };
      // An instance action answers {job}; a list action {jobs} (one here).
      return started.body.job ?? started.body.jobs?.[0];
    },
    create: (entity, fields) => call('POST', `/api/v1/entities/${entity}`, fields),
    get: (entity, id) => call('GET', `/api/v1/entities/${entity}/${id}`),
    list: async (entity, query = '') => (await call('GET', `/api/v1/entities/${entity}?per_page=500${query}`)).items,
    async close() {
      await api.close();
      await runtime.close();
      await scw.close();
      await db.drop();
    },
  };
}
