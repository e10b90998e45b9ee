import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEntry } from '../../core/audit/audit.entity.js';
import type { Runtime } from '../../core/runtime.js';
import { startApi, type TestApi } from '../support/api.js';
import { DIALECTS, startRuntime, testDatabase, type TestDatabase } from '../support/runtime.js';
import { modulesWithWidgets } from '../support/widgets.js';

describe.each(DIALECTS)('action API and jobs on %s', (dialect) => {
  let db: TestDatabase;
  let runtime: Runtime;
  let api: TestApi;
  let widgetCount = 0;
  const widget = async (fields: Record<string, unknown> = {}) => {
    const created = await api.call('operator', 'POST', '/api/v1/entities/Widget', { name: `w${++widgetCount}`, ...fields });
    expect(created.status).toBe(201);
    return created.body as { id: string; name: string };
  };
  const job = async (id: string) => (await api.call('viewer', 'GET', `/api/v1/jobs/${id}`)).body.job;
  const until = async (id: string, status: string) => {
    for (let i = 0; i < 200; i++) {
      const current = await job(id);
      if (current.status === status) return current;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`job ${id} never became ${status}: ${JSON.stringify(await job(id))}`);
  };

  beforeAll(async () => {
    db = await testDatabase(dialect);
    runtime = await startRuntime(db, { modules: await modulesWithWidgets(), worker: true });
    api = await startApi(runtime);
  });
  afterAll(async () => {
    await api.close();
    await runtime.close();
    await db.drop();
  });

  it('runs an instance action as a job: 202 with Location, then the result', async () => {
    const w = await widget();
    const started = await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/build`, { steps: 2, label: 'first' });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`/api/v1/jobs/${started.body.job.id}`);
    expect(started.body.job).toMatchObject({ entity: 'Widget', recordId: w.id, action: 'build', params: { steps: 2, delayMs: 20, label: 'first' }, startedBy: 'token test-operator' });
    const done = await until(started.body.job.id, 'succeeded');
    expect(done).toMatchObject({ percent: 100, message: `Built ${w.name} (first)`, value: { steps: 2, resumed: false }, error: null, attempts: 1 });
    expect(done.steps.map((s: { message: string }) => s.message)).toEqual(['Queued', 'Step 1 of 2', 'Step 2 of 2', 'Succeeded']);
    expect((await api.call('viewer', 'GET', `/api/v1/entities/Widget/${w.id}`)).body).toMatchObject({ state: 'built', builds: 1 });
  });

  it('waits with ?wait and answers 200 with the result', async () => {
    const w = await widget();
    const result = await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/build?wait=10`, { steps: 1 });
    expect(result.status).toBe(200);
    expect(result.body.job).toMatchObject({ status: 'succeeded', message: `Built ${w.name}` });
    const slow = await api.call('operator', 'POST', `/api/v1/entities/Widget/${(await widget()).id}/actions/build?wait=0.05`, { steps: 5, delayMs: 200 });
    expect(slow.status).toBe(202);
  });

  it('validates parameters per field before queuing anything', async () => {
    const w = await widget();
    const bad = await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/build`, { steps: 0, label: 'x'.repeat(30), colour: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields).toEqual({
      colour: ['unknown parameter (expected one of: steps, delayMs, label)'],
      steps: ['must be ≥ 1'],
      label: ['must be at most 20 characters'],
    });
    expect((await api.call('viewer', 'GET', `/api/v1/jobs?recordId=${w.id}`)).body.total).toBe(0);
    expect((await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/build?wait=forever`)).status).toBe(400);
  });

  it('streams progress as server-sent events until the end', async () => {
    const w = await widget();
    const started = await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/build`, { steps: 3, delayMs: 60 });
    const response = await fetch(`${api.url}/api/v1/jobs/${started.body.job.id}/events`, { headers: { authorization: `Bearer ${api.tokens.viewer}` } });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const text = await response.text();
    const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n\n/g)].map(([, event, data]) => ({ event, data: JSON.parse(data) }));
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data.message);
    expect(progress).toEqual(['Queued', 'Step 1 of 3', 'Step 2 of 3', 'Step 3 of 3', 'Succeeded']);
    expect(events.at(-1)).toMatchObject({ event: 'end', data: { status: 'succeeded', percent: 100 } });
  });

  it('reports failures in plain words, with their cause and no stack trace', async () => {
    const w = await widget();
    const failed = (await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/break?wait=10`)).body.job;
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'precondition_failed', message: `${w.name} refuses to break`, details: { field: 'name' } } });
    expect(failed.steps.at(-1).message).toBe(`Failed: ${w.name} refuses to break`);
    const crashed = (await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/crash?wait=10`)).body.job;
    expect(crashed.error).toEqual({ code: 'internal', message: 'Unexpected error: undefined is not a function', cause: 'Error: deep cause' });
    expect(JSON.stringify(crashed)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('refuses a second identical action on a record, and serializes different ones', async () => {
    const w = await widget();
    const first = await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/build`, { steps: 4, delayMs: 80 });
    const second = await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/build`, { steps: 1 });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'conflict', details: { jobId: first.body.job.id } });
    expect(second.body.error.message).toMatch(/^build is already (queued|running) on this record \(job [0-9a-f-]+\); wait for it to finish or cancel it$/);
    const other = await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/break`);
    expect(other.status).toBe(202);
    const built = await until(first.body.job.id, 'succeeded');
    const broken = await until(other.body.job.id, 'failed');
    expect(Date.parse(broken.startedAt)).toBeGreaterThanOrEqual(Date.parse(built.finishedAt));
  });

  it('cancels queued and running jobs', async () => {
    const w = await widget();
    const running = await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/build`, { steps: 50, delayMs: 100 });
    const queued = await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/break`);
    await until(running.body.job.id, 'running');
    expect((await api.call('viewer', 'POST', `/api/v1/jobs/${queued.body.job.id}/cancel`)).status).toBe(403);
    const cancelledQueued = await api.call('operator', 'POST', `/api/v1/jobs/${queued.body.job.id}/cancel`);
    expect(cancelledQueued.body.job.status).toBe('cancelled');
    const cancelling = await api.call('operator', 'POST', `/api/v1/jobs/${running.body.job.id}/cancel`);
    expect(cancelling.body.job).toMatchObject({ cancelRequested: true });
    const cancelled = await until(running.body.job.id, 'cancelled');
    expect(cancelled.steps.at(-1).message).toBe('Cancelled');
    expect(cancelled.percent).toBeLessThan(90);
    expect((await api.call('operator', 'POST', `/api/v1/jobs/${running.body.job.id}/cancel`)).status).toBe(409);
    expect((await api.call('viewer', 'GET', `/api/v1/entities/Widget/${w.id}`)).body.state).toBe('new');
  });

  it('checks applicability and roles before queuing', async () => {
    const broken = await widget({ state: 'broken' });
    const refused = await api.call('operator', 'POST', `/api/v1/entities/Widget/${broken.id}/actions/build`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'not_applicable', message: `Build does not apply to Widget ${broken.name}: the widget is broken` });
    const w = await widget();
    expect((await api.call('viewer', 'POST', `/api/v1/entities/Widget/${w.id}/actions/build`)).body.error).toEqual({
      code: 'forbidden',
      message: 'Build needs the operator role; token test-viewer is viewer',
      details: null,
    });
    expect((await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/adminOnly`)).status).toBe(403);
    expect((await api.call('admin', 'POST', `/api/v1/entities/Widget/${w.id}/actions/adminOnly?wait=5`)).body.job.status).toBe('succeeded');
    expect((await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/nope`)).status).toBe(404);
    expect((await api.call('operator', 'POST', `/api/v1/entities/Widget/00000000-0000-4000-8000-000000000000/actions/build`)).status).toBe(404);
  });

  it('runs list actions without a record and bulk actions once per record', async () => {
    const counted = await api.call('viewer', 'POST', '/api/v1/entities/Widget/actions/count?wait=5', { state: 'broken' });
    expect(counted.body.jobs).toHaveLength(1);
    expect(counted.body.jobs[0]).toMatchObject({ status: 'succeeded', recordId: null, value: 1, message: '1 widgets' });
    const [a, b] = [await widget(), await widget()];
    const bulk = await api.call('operator', 'POST', `/api/v1/entities/Widget/actions/build?ids=${a.id},${b.id}&wait=10`, { steps: 1 });
    expect(bulk.status).toBe(200);
    expect(bulk.body.jobs.map((j: { recordId: string; status: string }) => [j.recordId, j.status])).toEqual([
      [a.id, 'succeeded'],
      [b.id, 'succeeded'],
    ]);
    expect((await api.call('operator', 'POST', `/api/v1/entities/Widget/actions/break?ids=${a.id},${b.id}`)).status).toBe(400);
  });

  it('keeps the Meveo route working, with the GUI message and the value', async () => {
    const w = await widget();
    const ok = await api.call('operator', 'POST', `/meveo/api/rest/entityCustomization/entity/action/execute/build/CE_Widget/${w.id}`, { steps: 1 });
    expect(ok.body).toMatchObject({ status: 'SUCCESS', message: `Built ${w.name}`, result: { steps: 1 } });
    const ko = await api.call('operator', 'POST', `/meveo/api/rest/entityCustomization/entity/action/execute/break/CE_Widget/${w.id}`);
    expect(ko.body).toMatchObject({ status: 'FAIL', message: `Failed to execute action "break". Failure reason ${w.name} refuses to break` });
    expect((await api.call(null, 'POST', `/meveo/api/rest/entityCustomization/entity/action/execute/build/CE_Widget/${w.id}`)).status).toBe(401);
  });

  it('lists jobs with filters and paging', async () => {
    const all = await api.call('viewer', 'GET', '/api/v1/jobs?per_page=3');
    expect(all.body.items).toHaveLength(3);
    expect(Number(all.headers.get('x-total-count'))).toBeGreaterThan(3);
    const failed = await api.call('viewer', 'GET', '/api/v1/jobs?status=failed');
    expect(failed.body.items.every((j: { status: string }) => j.status === 'failed')).toBe(true);
    expect((await api.call('viewer', 'GET', '/api/v1/jobs?status=exploded')).status).toBe(400);
  });

  it('describes modules and a valid OpenAPI 3 document from the registry', async () => {
    const modules = await api.call('viewer', 'GET', '/api/v1/modules');
    expect(modules.body.modules.map((m: { code: string }) => m.code)).toEqual(['mv-credentials', 'mv-infrastructure', 'test-widgets']);
    const build = modules.body.modules[2].actions.find((a: { code: string }) => a.code === 'build');
    expect(build).toMatchObject({ kind: 'bulk', confirm: true, parameters: [{ name: 'steps', type: 'integer', default: 3 }, { name: 'delayMs', type: 'integer', default: 20 }, { name: 'label', type: 'string' }] });
    const openapi = await api.call('viewer', 'GET', '/api/v1/openapi.json');
    const validated = (await SwaggerParser.validate(structuredClone(openapi.body))) as OpenAPIV3.Document;
    expect(validated.paths['/entities/Widget/{id}/actions/build']?.post).toBeDefined();
    expect(validated.paths['/entities/Widget/actions/count']?.post).toBeDefined();
    const schemas = validated.components!.schemas as Record<string, OpenAPIV3.SchemaObject>;
    expect(Object.keys(schemas.Credential.properties!)).not.toContain('token');
    expect((schemas.CredentialInput.properties!.token as OpenAPIV3.SchemaObject).writeOnly).toBe(true);
  });

  it('answers {job} and its Location on the instance route, {jobs} on the list and bulk route, with job and Location when it made one', async () => {
    const [w, other] = [await widget(), await widget()];
    const instance = await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/build?wait=10`, { steps: 1 });
    expect(instance.body).toEqual({ job: expect.objectContaining({ recordId: w.id, status: 'succeeded' }) });
    expect(instance.headers.get('location')).toBe(`/api/v1/jobs/${instance.body.job.id}`);
    const single = await api.call('operator', 'POST', `/api/v1/entities/Widget/actions/build?ids=${w.id}&wait=10`, { steps: 1 });
    const singleJob = expect.objectContaining({ recordId: w.id, status: 'succeeded' });
    expect(single.body).toEqual({ jobs: [singleJob], job: singleJob });
    expect(single.headers.get('location')).toBe(`/api/v1/jobs/${single.body.job.id}`);
    const two = await api.call('operator', 'POST', `/api/v1/entities/Widget/actions/build?ids=${w.id},${other.id}&wait=10`, { steps: 1 });
    expect(two.body).toEqual({ jobs: [expect.objectContaining({ recordId: w.id }), expect.objectContaining({ recordId: other.id })] });
    expect(two.headers.get('location')).toBeNull();
    // A list action, not waited for: 202, the job in both shapes, and a Location that leads to it.
    const list = await api.call('viewer', 'POST', '/api/v1/entities/Widget/actions/count');
    expect(list.status).toBe(202);
    expect(list.body).toEqual({ jobs: [list.body.job], job: expect.objectContaining({ action: 'count' }) });
    expect(list.headers.get('location')).toBe(`/api/v1/jobs/${list.body.job.id}`);
    expect((await api.call('viewer', 'GET', list.headers.get('location')!)).body.job.id).toBe(list.body.job.id);
    await until(list.body.job.id, 'succeeded');
    const openapi = (await api.call('viewer', 'GET', '/api/v1/openapi.json')).body;
    const responseOf = (path: string) => openapi.paths[path].post.responses[202];
    expect(responseOf('/entities/Widget/{id}/actions/build').content['application/json'].schema.$ref).toBe('#/components/schemas/JobEnvelope');
    expect(responseOf('/entities/Widget/actions/build').content['application/json'].schema.$ref).toBe('#/components/schemas/JobList');
    expect(responseOf('/entities/Widget/actions/count').content['application/json'].schema.$ref).toBe('#/components/schemas/JobList');
    expect(responseOf('/entities/Widget/actions/count').headers.Location).toBeDefined();
    expect(Object.keys(openapi.components.schemas.JobList.properties)).toEqual(['jobs', 'job']);
    expect(openapi.components.schemas.Error.properties.error.required).toEqual(['code', 'message', 'details']);
    expect(openapi.components.schemas.Job.properties.cancelRequested).toEqual({ type: 'boolean' });
  });

  it('takes dryRun as true or false only: anything else is a 400, not a real run', async () => {
    const w = await widget();
    for (const value of ['1', 'True', 'yes', '']) {
      const refused = await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/build?dryRun=${value}`);
      expect(refused.status).toBe(400);
      expect(refused.body.error.details.fields).toEqual({ dryRun: ['must be true or false'] });
    }
    expect((await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/build?dryRun=true&dryRun=true`)).status).toBe(400);
    expect((await api.call('viewer', 'GET', `/api/v1/jobs?recordId=${w.id}`)).body.total).toBe(0);
    const dry = await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/build?dryRun=true&wait=10`, { steps: 1 });
    expect(dry.body.job).toMatchObject({ dryRun: true, status: 'succeeded' });
    const real = await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/build?dryRun=false&wait=10`, { steps: 1 });
    expect(real.body.job).toMatchObject({ dryRun: false, status: 'succeeded' });
  });

  it('queues a bulk selection all or nothing, each record once', async () => {
    const [a, b] = [await widget(), await widget()];
    const twice = await api.call('operator', 'POST', `/api/v1/entities/Widget/actions/build?ids=${a.id},${a.id}&wait=10`, { steps: 1 });
    expect(twice.status).toBe(200);
    expect(twice.body.jobs.map((j: { recordId: string }) => j.recordId)).toEqual([a.id]);
    // One job per record, in the order of the selection.
    const many = await Promise.all(Array.from({ length: 8 }, () => widget()));
    const ordered = await api.call('operator', 'POST', `/api/v1/entities/Widget/actions/build?ids=${many.map((w) => w.id).join(',')}`, { steps: 1, delayMs: 0 });
    expect(ordered.body.jobs.map((j: { recordId: string }) => j.recordId)).toEqual(many.map((w) => w.id));
    for (const job of ordered.body.jobs) expect((await api.call('viewer', 'GET', `/api/v1/jobs/${job.id}`)).body.job.recordId).toBe(job.recordId);
    const busy = await api.call('operator', 'POST', `/api/v1/entities/Widget/${b.id}/actions/build`, { steps: 50, delayMs: 100 });
    const refused = await api.call('operator', 'POST', `/api/v1/entities/Widget/actions/build?ids=${a.id},${b.id}`, { steps: 1 });
    expect(refused.status).toBe(409);
    expect(refused.body.error.details).toEqual({ jobId: busy.body.job.id });
    // The first record's job was not queued either.
    expect((await api.call('viewer', 'GET', `/api/v1/jobs?recordId=${a.id}&action=build`)).body.total).toBe(1);
    await api.call('operator', 'POST', `/api/v1/jobs/${busy.body.job.id}/cancel`);
    await until(busy.body.job.id, 'cancelled');
  });

  it('answers 404 for malformed job ids and 400 for repeated query parameters, never a 500', async () => {
    expect((await api.call('viewer', 'GET', '/api/v1/jobs/abc')).status).toBe(404);
    expect((await api.call('viewer', 'GET', '/api/v1/jobs/abc/events')).status).toBe(404);
    const cancel = await api.call('operator', 'POST', '/api/v1/jobs/abc/cancel');
    expect(cancel.status).toBe(404);
    expect(cancel.body.error).toEqual({ code: 'not_found', message: 'No job abc', details: null });
    const repeated = await api.call('viewer', 'GET', '/api/v1/jobs?entity=a&entity=b');
    expect(repeated.status).toBe(400);
    expect(repeated.body.error.details.fields).toEqual({ entity: ['must be given once, as a single value'] });
    expect((await api.call('viewer', 'GET', '/api/v1/jobs?action[x]=1')).status).toBe(400);
    expect((await api.call('viewer', 'GET', '/api/v1/jobs?action=a%00b')).body.error.details.fields).toEqual({ action: ['must not contain NUL characters'] });
    const w = await widget();
    const nul = await api.call('operator', 'POST', `/api/v1/entities/Widget/${w.id}/actions/build`, { label: 'a\u0000b' });
    expect(nul.body.error.details.fields).toEqual({ label: ['must not contain NUL characters'] });
  });

  it('shows jobs only to those who may read their records, sensitive parameters hidden everywhere', async () => {
    const actor = { kind: 'cli' as const, id: 'test', name: 'test', role: 'admin' as const };
    const secret = 'chpasswd: { list: "root:hunter2-never-shown" }';
    // Jobs about records that do not exist: the worker fails them, which changes nothing here.
    const [userData] = await runtime.queue.enqueueMany([
      { module: 'mv-infrastructure', entity: 'ScalewayServer', recordId: randomUUID(), action: 'setUserData', params: { key: 'cloud-init', content: secret }, actor },
    ]);
    const verify = await runtime.queue.enqueue({ module: 'mv-credentials', entity: 'Credential', recordId: randomUUID(), action: 'verifyCredential', params: {}, actor });
    // A viewer may not read credentials: their jobs are neither listed, nor shown, nor streamed, nor cancelled.
    const listed = (await api.call('viewer', 'GET', '/api/v1/jobs?per_page=500')).body.items.map((j: { id: string }) => j.id);
    expect(listed).toContain(userData.id);
    expect(listed).not.toContain(verify.id);
    expect((await api.call('viewer', 'GET', '/api/v1/jobs?entity=Credential')).body).toMatchObject({ items: [], total: 0 });
    for (const path of [`/api/v1/jobs/${verify.id}`, `/api/v1/jobs/${verify.id}/events`]) {
      const refused = await api.call('viewer', 'GET', path);
      expect([refused.status, refused.body.error.message]).toEqual([403, expect.stringMatching(/needs the operator role/)]);
    }
    expect((await api.call('operator', 'GET', `/api/v1/jobs/${verify.id}`)).body.job.id).toBe(verify.id);
    // The cloud-init content is never shown, to anyone; the worker got it as given.
    for (const path of [`/api/v1/jobs/${userData.id}`, '/api/v1/jobs?entity=ScalewayServer&per_page=500']) {
      const reply = await api.call('admin', 'GET', path);
      expect(reply.status).toBe(200);
      expect(JSON.stringify(reply.body)).not.toContain('hunter2');
    }
    expect((await api.call('admin', 'GET', `/api/v1/jobs/${userData.id}`)).body.job.params).toEqual({ key: 'cloud-init', content: '[hidden]' });
    expect((await runtime.queue.get(userData.id)).params.content).toBe(secret);
    await runtime.audit.flush();
    const entry = await runtime.data.getRepository(AuditEntry).findOneByOrFail({ jobId: userData.id, operation: 'action-start' });
    expect(entry.changes).toEqual({ key: { after: 'cloud-init' }, content: { after: '[hidden]' } });
  });
});
