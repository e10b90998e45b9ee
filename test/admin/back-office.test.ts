import './support/env.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { userWriter } from '../../admin/writers.js';
import { AuditEntry } from '../../core/audit/audit.entity.js';
import { AdminSession } from '../../core/auth/admin-session.entity.js';
import { User } from '../../core/auth/user.entity.js';
import { createUser } from '../../core/auth/users.js';
import { Job } from '../../core/jobs/job.entity.js';
import type { Actor, Role } from '../../core/roles.js';
import { DIALECTS } from '../support/runtime.js';
import { AdminClient, PASSWORD, startAdmin, type AdminHarness } from './support/harness.js';

/** The back-office over real HTTP (no browser): sessions, rights, forms, secrets, actions, audit. */
describe.each(DIALECTS)('back-office on %s', (dialect) => {
  let h: AdminHarness;
  const clients = {} as Record<Role, AdminClient>;
  const SECRET = 'sk-live-9f8e7d6c5b4a-never-shown';
  const cli = { kind: 'cli' as const, id: 'test', name: 'cli:test', role: 'admin' as const };
  let counter = 0;

  const jobs = () => h.runtime.data.getRepository(Job).count();
  const widget = async (fields: Record<string, unknown> = {}) =>
    h.runtime.entities.create(h.runtime.registry.entity('Widget'), { name: `widget-${dialect}-${++counter}`, ...fields }, cli);
  const credential = async (fields: Record<string, unknown> = {}) =>
    h.runtime.entities.create(
      h.runtime.registry.entity('Credential'),
      { domainName: `api${++counter}.example.com`, authenticationType: 'API_KEY', headerKey: 'X-Auth-Token', apiKey: SECRET, ...fields },
      cli,
    );
  const waitForJob = async (id: string) => {
    for (let i = 0; i < 400; i++) {
      const job = await h.runtime.queue.get(id);
      if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`job ${id} did not end`);
  };
  /** The id of a client's session, from its cookie. */
  const sessionId = (client: AdminClient) => decodeURIComponent(client.cookie!.split('=')[1]).slice(2).split('.')[0];
  /** The page's REDUX_STATE: resources, their properties and actions as the browser gets them. */
  const reduxState = (html: string) => JSON.parse(/window\.REDUX_STATE = (.*?);\n/s.exec(html)![1]);

  beforeAll(async () => {
    h = await startAdmin(dialect);
    for (const role of ['viewer', 'operator', 'admin'] as Role[]) clients[role] = await h.signedIn(role);
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('sign-in and session', () => {
    it('sends anonymous visitors to the login page, pages and API alike', async () => {
      const anonymous = h.client();
      for (const path of ['/admin', '/admin/resources/Widget', '/admin/api/resources/Widget/actions/list', '/admin/mv/jobs?ids=']) {
        const reply = await anonymous.get(path);
        if (path.startsWith('/admin/mv')) expect(reply.status).toBe(401);
        else expect([reply.status, reply.headers.get('location')]).toEqual([302, '/admin/login']);
      }
      const login = await anonymous.get('/admin/login');
      expect(login.status).toBe(200);
      expect(login.headers.get('content-type')).toMatch(/html/);
    });

    it('signs in users of mv_user with their argon2 password; the session is in the database with a strict cookie', async () => {
      const client = h.client();
      const wrong = await client.login(h.emails.operator, 'not the password');
      expect(wrong.status).toBe(200);
      expect(wrong.text).toMatch(/invalidCredentials|Wrong email and\/or password/);
      expect(client.cookie).toBeUndefined();

      const reply = await client.login(h.emails.operator, PASSWORD);
      expect([reply.status, reply.headers.get('location')]).toEqual([302, '/admin']);
      const cookie = client.lastSetCookie.find((c) => c.startsWith('mv_admin='))!;
      expect(cookie).toMatch(/; HttpOnly/i);
      expect(cookie).toMatch(/; SameSite=Strict/i);
      expect(cookie).toMatch(/; Path=\/admin/i);
      expect(cookie).not.toMatch(/; Secure/i);
      const sid = sessionId(client);
      const stored = await h.runtime.data.getRepository(AdminSession).findOneBy({ sid });
      expect(JSON.parse(stored!.sess).adminUser).toEqual({ id: expect.any(String), email: h.emails.operator, title: 'Operator user', role: 'operator' });
      expect(stored!.sess).not.toContain('argon2');
      expect((await client.get('/admin')).status).toBe(200);

      const out = await client.get('/admin/logout');
      expect(out.status).toBe(302);
      expect(await h.runtime.data.getRepository(AdminSession).findOneBy({ sid })).toBeNull();
      expect((await client.get('/admin')).status).toBe(302);
    });

    it('marks the cookie Secure when served over https (behind a trusted proxy)', async () => {
      const client = h.client();
      const https = h.url.replace('http:', 'https:');
      const reply = await client.request('POST', '/admin/login', {
        form: { email: h.emails.viewer, password: PASSWORD },
        origin: https,
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(reply.status).toBe(302);
      expect(client.lastSetCookie.find((c) => c.startsWith('mv_admin='))).toMatch(/; Secure/i);
    });

    it('refuses a login posted from another site', async () => {
      for (const origin of ['https://evil.example', null]) {
        const client = h.client();
        const reply = await client.login(h.emails.admin, PASSWORD, origin);
        expect(reply.status).toBe(403);
        expect(reply.json.error.message).toMatch(/Cross-site request refused/);
        expect(client.cookie).toBeUndefined();
      }
    });

    it('rate-limits failed logins per email: then even the right password is refused for a while', async () => {
      const email = `limited-${dialect}@test.local`;
      await h.runtime.data.getRepository(User).save(
        h.runtime.data.getRepository(User).create({ email, role: 'viewer', passwordHash: (await h.runtime.data.getRepository(User).findOneByOrFail({ email: h.emails.viewer })).passwordHash }),
      );
      const client = h.client();
      for (let i = 0; i < 5; i++) expect((await client.login(email, `wrong ${i}`)).text).not.toContain('Too many');
      const blocked = await client.login(email, PASSWORD);
      expect(blocked.text).toContain('Too many failed sign-in attempts');
      expect(client.cookie).toBeUndefined();
      // Other users are not affected.
      expect((await h.client().login(h.emails.viewer, PASSWORD)).status).toBe(302);
    });

    it('shows the login page no internal error, only that sign-in is unavailable', async () => {
      const users = h.runtime.data.getRepository(User);
      const spy = vi.spyOn(users, 'findOneBy').mockRejectedValueOnce(new Error('connect ECONNREFUSED 10.1.2.3:5432 (password authentication failed for user "mv")'));
      try {
        const reply = await h.client().login(h.emails.viewer, PASSWORD);
        expect(reply.text).toContain('Sign-in is unavailable; try again later.');
        expect(reply.text).not.toMatch(/ECONNREFUSED|10\.1\.2\.3|password authentication/);
      } finally {
        spy.mockRestore();
      }
    });

    it('goes back, once signed in, to the page the session kept (the session is regenerated)', async () => {
      const client = await h.signedIn('viewer');
      const sessions = h.runtime.data.getRepository(AdminSession);
      const row = await sessions.findOneByOrFail({ sid: sessionId(client) });
      await sessions.update({ sid: row.sid }, { sess: JSON.stringify({ ...JSON.parse(row.sess), redirectTo: '/admin/resources/Widget' }) });
      const again = await client.login(h.emails.viewer, PASSWORD);
      expect([again.status, again.headers.get('location')]).toEqual([302, '/admin/resources/Widget']);
      expect(sessionId(client)).not.toBe(row.sid);
    });

    it('signs a user out everywhere when their password is changed', async () => {
      const email = `moved-${dialect}@test.local`;
      const created = await clients.admin.postForm('/admin/api/resources/User/actions/new', { email, role: 'operator', password: PASSWORD });
      const [laptop, phone] = [h.client(), h.client()];
      for (const client of [laptop, phone]) expect((await client.login(email, PASSWORD)).status).toBe(302);
      expect((await laptop.get('/admin')).status).toBe(200);
      await clients.admin.postForm(`/admin/api/resources/User/records/${created.json.record.id}/edit`, { password: 'a brand new passphrase' });
      for (const client of [laptop, phone]) {
        expect((await client.get('/admin')).headers.get('location')).toBe('/admin/login');
        expect((await client.get('/admin/mv/jobs?ids=')).status).toBe(401);
      }
      // Other users keep their sessions; the new password signs in.
      expect((await clients.operator.get('/admin')).status).toBe(200);
      expect((await laptop.login(email, 'a brand new passphrase')).status).toBe(302);
    });

    it('signs a disabled user out at once, and applies a changed role at once', async () => {
      const email = `temp-${dialect}@test.local`;
      const created = await clients.admin.postForm('/admin/api/resources/User/actions/new', { email, role: 'operator', password: PASSWORD });
      expect(created.json.notice).toMatchObject({ type: 'success' });
      const temp = h.client();
      expect((await temp.login(email, PASSWORD)).status).toBe(302);
      expect((await temp.get('/admin/api/resources/Widget/actions/list')).status).toBe(200);
      const id = created.json.record.id;
      await clients.admin.postForm(`/admin/api/resources/User/records/${id}/edit`, { role: 'viewer' });
      const page = await temp.get('/admin');
      expect(reduxState(page.text).session).toMatchObject({ email, role: 'viewer' });
      await clients.admin.postForm(`/admin/api/resources/User/records/${id}/edit`, { disabled: 'true' });
      expect((await temp.get('/admin/api/resources/Widget/actions/list')).status).toBe(401);
      expect((await temp.get('/admin')).headers.get('location')).toBe('/admin/login');
    });
  });

  describe('resources generated from the registry', () => {
    it('registers every entity with its group, summary columns, enum values, references and write-only secrets', async () => {
      const state = reduxState((await clients.admin.get('/admin')).text);
      const byId = Object.fromEntries(state.resources.map((r: { id: string }) => [r.id, r]));
      for (const id of ['Credential', 'ServiceProvider', 'Widget', 'Job', 'AuditEntry', 'User', 'ApiToken']) expect(byId[id], id).toBeDefined();
      expect(byId.Credential.navigation).toMatchObject({ name: 'Credentials' });
      expect(byId.Widget.navigation).toMatchObject({ name: 'Tests' });
      expect(byId.Job.navigation).toMatchObject({ name: 'Jobs & audit' });
      expect(byId.Widget.listProperties.map((p: { name: string }) => p.name)).toEqual(['name', 'state']);
      expect(byId.Job.listProperties.map((p: { name: string }) => p.name)).toEqual(['entity', 'recordId', 'action', 'status', 'percent', 'startedBy', 'result', 'createdAt', 'duration']);
      // The breadcrumb of an action page translates the action's name without its resource.
      expect(state.locale.translations.en.actions).toMatchObject({ populateProviderFields: 'Populate from Scaleway', count: 'Count widgets', buildSelected: 'Build' });
      const props = (id: string, list: string) => Object.fromEntries(byId[id][list].map((p: { name: string }) => [p.name, p]));
      expect(props('Widget', 'editProperties').state).toMatchObject({ availableValues: [{ value: 'new' }, { value: 'built' }, { value: 'broken' }] });
      expect(props('Widget', 'editProperties').credentialId).toMatchObject({ type: 'reference', reference: 'Credential' });
      const credential = props('Credential', 'editProperties');
      expect(credential.apiKey).toMatchObject({ type: 'password' });
      expect(byId.Credential.listProperties.map((p: { name: string }) => p.name)).not.toContain('apiKey');
      expect(credential.extraParameters.components).toMatchObject({ edit: 'MvJsonEdit' });
      expect(props('Job', 'listProperties').status.components).toMatchObject({ list: 'MvJobStatus' });
      // Read-only resources offer no create/edit/delete, and the actions of the registry are there.
      expect(byId.Job.resourceActions.map((a: { name: string }) => a.name)).not.toContain('new');
      expect(byId.Widget.resourceActions.map((a: { name: string }) => a.name)).toEqual(expect.arrayContaining(['new', 'count']));
      expect(byId.Widget.actions.map((a: { name: string }) => a.name)).toEqual(expect.arrayContaining(['build', 'buildSelected', 'break', 'crash', 'adminOnly']));
    });

    it('lists every resource, whatever module declares it', async () => {
      const state = reduxState((await clients.admin.get('/admin')).text);
      for (const { id } of state.resources as { id: string }[]) {
        const reply = await clients.admin.get(`/admin/api/resources/${id}/actions/list`);
        expect([id, reply.status, reply.json.notice]).toEqual([id, 200, undefined]);
      }
    });

    it('serves the custom components, bundled at start in development mode too', async () => {
      const bundle = await h.client().get('/admin/frontend/assets/components.bundle.js');
      expect(bundle.status).toBe(200);
      expect(bundle.text).toContain('AdminJS.UserComponents.MvRunAction');
    });

    it('paginates in the database, sorts and filters', async () => {
      const prefix = `page-${dialect}`;
      for (let i = 0; i < 25; i++) await widget({ name: `${prefix}-${String(i).padStart(2, '0')}`, state: i % 5 === 0 ? 'broken' : 'new' });
      const page = async (query: string) => (await clients.viewer.get(`/admin/api/resources/Widget/actions/list?filters.name=${prefix}&${query}`)).json;
      const second = await page('perPage=10&page=2&sortBy=name&direction=asc');
      expect(second.meta).toMatchObject({ total: 25, perPage: 10, page: 2 });
      expect(second.records.map((r: { params: { name: string } }) => r.params.name)).toEqual(
        Array.from({ length: 10 }, (_, i) => `${prefix}-${String(i + 10).padStart(2, '0')}`),
      );
      expect((await page('perPage=10&page=3')).records).toHaveLength(5);
      const broken = await page('filters.state=broken&perPage=50');
      expect(broken.meta.total).toBe(5);
      // A malformed id in a filter matches nothing instead of failing in the database.
      expect((await clients.viewer.get('/admin/api/resources/Widget/actions/list?filters.credentialId=not-a-uuid')).json.meta.total).toBe(0);
    });

    it('keeps pages between 1 and 500 rows, from offset 0: a negative size is no way around the paging', async () => {
      const prefix = `window-${dialect}`;
      for (let i = 0; i < 3; i++) await widget({ name: `${prefix}-${i}` });
      const names = async (path: string) => {
        const reply = await clients.admin.get(path);
        expect([path, reply.status, reply.json.notice]).toEqual([path, 200, undefined]);
        return reply.json.records.map((r: { params: { name: string } }) => r.params.name);
      };
      // SQLite takes LIMIT -1 as "no limit", PostgreSQL refuses it: either way one row is asked for.
      expect(await names(`/admin/api/resources/Widget/actions/list?filters.name=${prefix}&perPage=-1&sortBy=name&direction=asc`)).toEqual([`${prefix}-0`]);
      expect(await names(`/admin/api/resources/Widget/actions/list?filters.name=${prefix}&perPage=2&page=-1&sortBy=name&direction=asc`)).toEqual([`${prefix}-0`, `${prefix}-1`]);
      expect(await names(`/admin/api/resources/Widget/actions/search/${prefix}?perPage=-5`)).toHaveLength(1);
      expect(await names('/admin/api/resources/AuditEntry/actions/list?perPage=-1')).toHaveLength(1);
    });

    it('shows references as links with the referenced title, JSON as readable text', async () => {
      const cred = await credential({ extraParameters: { region: 'fr-par', project: 'p-1' } });
      const w = await widget({ credentialId: cred.id });
      const shown = (await clients.operator.get(`/admin/api/resources/Widget/records/${w.id}/show`)).json.record;
      expect(shown.populated.credentialId).toMatchObject({ id: cred.id, title: cred.domainName });
      const credShown = (await clients.operator.get(`/admin/api/resources/Credential/records/${cred.id}/show`)).json.record;
      expect(JSON.parse(credShown.params.extraParameters)).toEqual({ region: 'fr-par', project: 'p-1' });
      // A viewer may see the widget, not the credential: the reference shows only its name.
      const asViewer = (await clients.viewer.get(`/admin/api/resources/Widget/records/${w.id}/show`)).json.record;
      expect(Object.keys(asViewer.populated.credentialId.params).sort()).toEqual(['domainName', 'id']);
    });
  });

  describe('forms write through the same rules as the API', () => {
    it('shows the field message for a bad field and saves nothing', async () => {
      const before = await h.runtime.data.getRepository('test_widget').count();
      const reply = await clients.operator.postForm('/admin/api/resources/Widget/actions/new', { name: `bad-${dialect}`, size: '5000', state: 'new' });
      expect(reply.status).toBe(200);
      expect(reply.json.record.errors.size.message).toBe('must not be greater than 1000');
      expect(reply.json.notice).toMatchObject({ type: 'error' });
      expect(reply.json.notice.message).toContain('size');
      expect(await h.runtime.data.getRepository('test_widget').count()).toBe(before);
      const notANumber = await clients.operator.postForm('/admin/api/resources/Widget/actions/new', { name: `bad2-${dialect}`, size: 'many' });
      expect(notANumber.json.record.errors.size.message).toBe('must be an integer');
      const duplicate = await widget();
      const clash = await clients.operator.postForm('/admin/api/resources/Widget/actions/new', { name: duplicate.name as string });
      expect(clash.json.record.errors.name.message).toMatch(/already used/);
    });

    it('creates and edits a record, going to its page, and keeps the rights of each role', async () => {
      const created = await clients.operator.postForm('/admin/api/resources/Widget/actions/new', { name: `form-${dialect}`, size: '7', state: 'new', credentialId: '' });
      expect(created.json.notice).toMatchObject({ type: 'success' });
      const id = created.json.record.id;
      expect(created.json.redirectUrl).toBe(`/admin/resources/Widget/records/${id}/show`);
      const edited = await clients.operator.postForm(`/admin/api/resources/Widget/records/${id}/edit`, { name: `form-${dialect}`, size: '8', builds: '99', id, createdAt: 'x' });
      expect(edited.json.notice).toMatchObject({ type: 'success' });
      expect(await h.runtime.data.getRepository('test_widget').findOneBy({ id })).toMatchObject({ size: 8, builds: 0 });
      // A viewer may read, not write; Users are for admins only.
      const refused = await clients.viewer.postForm(`/admin/api/resources/Widget/records/${id}/edit`, { size: '9' });
      expect(refused.json.notice).toMatchObject({ type: 'error' });
      expect(await h.runtime.data.getRepository('test_widget').findOneBy({ id })).toMatchObject({ size: 8 });
      expect((await clients.operator.get('/admin/api/resources/User/actions/list')).json.notice).toMatchObject({ type: 'error' });
      expect((await clients.operator.postForm('/admin/api/resources/Job/actions/new', { entity: 'x' })).json.notice).toMatchObject({ type: 'error' });
      // Deleting needs POST: a GET only returns the record.
      expect((await clients.operator.get(`/admin/api/resources/Widget/records/${id}/delete`)).json.record.id).toBe(id);
      expect(await h.runtime.data.getRepository('test_widget').existsBy({ id })).toBe(true);
      const deleted = await clients.operator.postForm(`/admin/api/resources/Widget/records/${id}/delete`, {});
      expect(deleted.json.notice).toMatchObject({ type: 'success' });
      expect(await h.runtime.data.getRepository('test_widget').existsBy({ id })).toBe(false);
    });

    it('parses JSON fields and says what is wrong with them', async () => {
      const cred = await credential();
      const bad = await clients.admin.postForm(`/admin/api/resources/Credential/records/${cred.id}/edit`, { extraParameters: '{"region": ' });
      expect(bad.json.record.errors.extraParameters.message).toMatch(/^must be valid JSON/);
      const good = await clients.admin.postForm(`/admin/api/resources/Credential/records/${cred.id}/edit`, { extraParameters: '{"region": "nl-ams"}' });
      expect(good.json.notice).toMatchObject({ type: 'success' });
      expect((await h.runtime.data.getRepository('credential').findOneBy({ id: cred.id }))!.extraParameters).toEqual({ region: 'nl-ams' });
    });

    it('does not let a signed-in user stop the server through the token refresh route', async () => {
      const refused = await clients.viewer.postForm('/admin/refresh-token', {});
      expect(refused.status).toBe(404);
      expect((await clients.viewer.get('/admin')).status).toBe(200);
    });

    it('never answers with an HTML error page', async () => {
      for (const path of ['/admin/api/resources/Widget/records/not-a-uuid/show', `/admin/api/resources/Widget/records/00000000-0000-4000-8000-000000000000/build`, '/admin/mv/actions/Nope/build', '/admin/mv/jobs?ids=nope']) {
        const reply = await clients.operator.get(path);
        expect(reply.headers.get('content-type'), path).toMatch(/json/);
        expect(reply.text, path).not.toMatch(/<html|at \w+ \(/i);
      }
    });
  });

  describe('secrets', () => {
    it('never sends a credential secret: not in pages, not in the AdminJS API, not in the JSON API', async () => {
      const created = await clients.admin.postForm('/admin/api/resources/Credential/actions/new', {
        domainName: `secret-${dialect}.example.com`,
        authenticationType: 'API_KEY',
        headerKey: 'X-Auth-Token',
        apiKey: SECRET,
        status: 'ACTIVE',
      });
      expect(created.json.notice).toMatchObject({ type: 'success' });
      const id = created.json.record.id;
      const stored = (await h.runtime.data.getRepository('credential').findOneBy({ id }))!.apiKey as string;
      expect(stored.startsWith('mvenc:')).toBe(true);
      const w = await widget({ credentialId: id });
      const replies = await Promise.all([
        clients.admin.get('/admin/api/resources/Credential/actions/list'),
        clients.admin.get(`/admin/api/resources/Credential/records/${id}/show`),
        clients.admin.get(`/admin/api/resources/Credential/records/${id}/edit`),
        clients.admin.get(`/admin/api/resources/Credential/records/${id}/verifyCredential`),
        clients.admin.get(`/admin/api/resources/Credential/bulk/verifyCredentialSelected?recordIds=${id}`),
        clients.admin.get(`/admin/api/resources/Widget/records/${w.id}/show`),
        clients.admin.get('/admin/api/resources/Credential/actions/search/secret'),
        clients.admin.get(`/admin/mv/actions/Credential/verifyCredential?ids=${id}`),
        clients.admin.get(`/admin/resources/Credential/records/${id}/show`),
        clients.admin.get('/admin/resources/Credential'),
        clients.admin.get('/admin/api/resources/AuditEntry/actions/list?perPage=100'),
        h.api.call('admin', 'GET', `/api/v1/entities/Credential/${id}`).then((r) => ({ status: r.status, text: r.text })),
      ]);
      for (const reply of replies) {
        expect(reply.status).toBe(200);
        expect(reply.text).not.toContain(SECRET);
        expect(reply.text).not.toContain('mvenc:');
      }
      expect(replies[1].json.record.params.secretsSet).toBe('apiKey');
      expect(replies[6].json.records.map((r: { id: string }) => r.id)).toContain(id);

      // An empty secret in the form keeps the stored one; a new value replaces it (and the audit says so, without the value).
      const kept = await clients.admin.postForm(`/admin/api/resources/Credential/records/${id}/edit`, { apiKey: '', username: 'robot' });
      expect(kept.json.notice).toMatchObject({ type: 'success' });
      expect(kept.text).not.toContain('mvenc:');
      expect((await h.runtime.data.getRepository('credential').findOneBy({ id }))!.apiKey).toBe(stored);
      const refused = await clients.admin.postForm(`/admin/api/resources/Credential/records/${id}/edit`, { apiKey: 'another-secret-value', domainName: 'not a domain!' });
      expect(refused.json.record.errors.domainName).toBeDefined();
      expect(refused.text).not.toContain('another-secret-value');
      await clients.admin.postForm(`/admin/api/resources/Credential/records/${id}/edit`, { apiKey: 'another-secret-value' });
      expect((await h.runtime.data.getRepository('credential').findOneBy({ id }))!.apiKey).not.toBe(stored);
      await h.runtime.audit.flush();
      const entries = await h.runtime.data.getRepository(AuditEntry).find({ where: { entity: 'Credential', recordId: id }, order: { createdAt: 'ASC' } });
      expect(entries.map((e) => e.operation)).toEqual(['create', 'update', 'update']);
      expect(entries[0].changes).toMatchObject({ apiKey: { after: '[set]' }, domainName: { after: `secret-${dialect}.example.com` } });
      expect(entries[2].changes).toEqual({ apiKey: { before: '[set]', after: '[changed]' } });
      expect(JSON.stringify(entries)).not.toContain('another-secret-value');
      expect(JSON.stringify(entries)).not.toContain('mvenc:');
    });
  });

  describe('actions', () => {
    it('describes an action for its page: confirmation in its own words, defaults computed for the record', async () => {
      const w = await widget();
      const form = (await clients.operator.get(`/admin/mv/actions/Widget/build?ids=${w.id}`)).json;
      expect(form.confirm).toBe(`Build ${w.name}? It cannot be undone.`);
      expect(form.records).toEqual([{ id: w.id, title: w.name, applicable: true, confirm: `Build ${w.name}? It cannot be undone.` }]);
      expect(form.params.map((p: { name: string; default: unknown }) => [p.name, p.default])).toEqual([
        ['steps', 3],
        ['delayMs', 20],
        ['label', null],
      ]);
      const broken = await widget({ state: 'broken' });
      expect((await clients.operator.get(`/admin/mv/actions/Widget/build?ids=${broken.id}`)).json.records[0].applicable).toBe('the widget is broken');
      // The button is not offered where the action does not apply.
      const shown = (await clients.operator.get(`/admin/api/resources/Widget/records/${broken.id}/show`)).json.record;
      expect(shown.recordActions.map((a: { name: string }) => a.name)).not.toContain('build');
    });

    it('starts the job through the runner on a same-origin POST, with parameters checked', async () => {
      const w = await widget();
      const invalid = await clients.operator.postJson(`/admin/mv/actions/Widget/build`, { ids: [w.id], params: { steps: 0 } });
      expect(invalid.status).toBe(400);
      expect(invalid.json.error.details.fields.steps).toEqual(['must be ≥ 1']);
      const started = await clients.operator.postJson(`/admin/mv/actions/Widget/build`, { ids: [w.id], params: { steps: '2', label: 'from the form' } });
      expect(started.status).toBe(202);
      expect(started.json.jobs[0]).toMatchObject({ entity: 'Widget', recordId: w.id, action: 'build', params: { steps: 2, delayMs: 20, label: 'from the form' }, startedBy: h.emails.operator });
      const done = await waitForJob(started.json.jobs[0].id);
      expect(done).toMatchObject({ status: 'succeeded', message: `Built ${w.name} (from the form)` });
      const polled = await clients.viewer.get(`/admin/mv/jobs?ids=${done.id}`);
      expect(polled.json.jobs[0]).toMatchObject({ status: 'succeeded', percent: 100 });
      expect((await clients.viewer.get(`/admin/mv/records/Widget/${w.id}/jobs`)).json).toMatchObject({ total: 1, jobs: [{ id: done.id }] });
      // The same job is visible through the API: one runner, one queue.
      expect((await h.api.call('viewer', 'GET', `/api/v1/jobs/${done.id}`)).body.job.startedBy).toBe(h.emails.operator);
      // List and bulk actions.
      const count = await clients.viewer.postJson('/admin/mv/actions/Widget/count', { params: { state: 'built' } });
      expect(count.status).toBe(202);
      expect((await waitForJob(count.json.jobs[0].id)).message).toMatch(/^\d+ widgets$/);
      const [a, b] = [await widget(), await widget()];
      const bulk = await clients.operator.postJson('/admin/mv/actions/Widget/build', { ids: [a.id, b.id], params: { steps: 1 } });
      expect(bulk.json.jobs).toHaveLength(2);
      for (const job of bulk.json.jobs) expect((await waitForJob(job.id)).status).toBe('succeeded');
    });

    it('reports a failing action in plain words', async () => {
      const w = await widget();
      const started = await clients.operator.postJson('/admin/mv/actions/Widget/break', { ids: [w.id] });
      const done = await waitForJob(started.json.jobs[0].id);
      const polled = (await clients.operator.get(`/admin/mv/jobs?ids=${done.id}`)).json.jobs[0];
      expect(polled).toMatchObject({ status: 'failed', error: { message: `${w.name} refuses to break` } });
      const crashed = await waitForJob((await clients.operator.postJson('/admin/mv/actions/Widget/crash', { ids: [w.id] })).json.jobs[0].id);
      expect(crashed.error).toBe('Unexpected error: undefined is not a function');
    });

    it('refuses a viewer: no buttons, and a refusal at the action URLs', async () => {
      const w = await widget();
      const before = await jobs();
      const shown = (await clients.viewer.get(`/admin/api/resources/Widget/records/${w.id}/show`)).json.record;
      expect(shown.recordActions.map((a: { name: string }) => a.name)).toEqual(['show']);
      for (const method of ['GET', 'POST']) {
        const reply = await clients.viewer.request(method, `/admin/api/resources/Widget/records/${w.id}/build`, { body: method === 'POST' ? new FormData() : undefined });
        expect(reply.json.notice).toMatchObject({ type: 'error' });
        expect(reply.json.record.baseError.type).toBe('ForbiddenError');
      }
      const run = await clients.viewer.postJson('/admin/mv/actions/Widget/build', { ids: [w.id] });
      expect(run.status).toBe(403);
      expect(run.json.error.message).toMatch(/needs the operator role/);
      expect((await clients.viewer.get(`/admin/mv/actions/Widget/build?ids=${w.id}`)).status).toBe(403);
      // An operator may not run an admin-only action either.
      expect((await clients.operator.postJson('/admin/mv/actions/Widget/adminOnly', { ids: [w.id] })).status).toBe(403);
      expect(await jobs()).toBe(before);
    });

    it('starts no job on a cross-site request, nor on any GET or POST to the AdminJS action URLs', async () => {
      const w = await widget();
      const before = await jobs();
      const url = `/admin/mv/actions/Widget/build`;
      const attempts = [
        clients.operator.postJson(url, { ids: [w.id] }, { origin: 'https://evil.example' }),
        clients.operator.postJson(url, { ids: [w.id] }, { origin: null }),
        clients.operator.postJson(url, { ids: [w.id] }, { origin: null, headers: { referer: 'https://evil.example/page' } }),
        clients.operator.postJson(url, { ids: [w.id] }, { origin: 'null' }),
        clients.operator.postJson(url, { ids: [w.id] }, { origin: h.url.replace('127.0.0.1', 'localhost') }),
        clients.operator.request('GET', `${url}?ids=${w.id}`, { origin: 'https://evil.example' }),
        clients.operator.request('PUT', url, { body: JSON.stringify({ ids: [w.id] }), headers: { 'content-type': 'application/json' }, origin: 'https://evil.example' }),
        clients.operator.request('GET', `/admin/api/resources/Widget/records/${w.id}/build`, { origin: 'https://evil.example' }),
        clients.operator.request('POST', `/admin/api/resources/Widget/records/${w.id}/build`, { body: new FormData() }),
        clients.operator.request('POST', `/admin/api/resources/Widget/records/${w.id}/build`, { body: new FormData(), origin: 'https://evil.example' }),
        clients.operator.request('GET', `/admin/api/resources/Widget/bulk/buildSelected?recordIds=${w.id}`),
        clients.operator.request('POST', `/admin/api/resources/Widget/actions/count`, { body: new FormData() }),
      ];
      const replies = await Promise.all(attempts);
      for (const reply of replies.slice(0, 5)) expect(reply.status).toBe(403);
      expect(await jobs()).toBe(before);
      // The same POST from the back-office's own pages does start it.
      expect((await clients.operator.postJson(url, { ids: [w.id] })).status).toBe(202);
      expect(await jobs()).toBe(before + 1);
    });
  });

  describe('jobs: only of records the user may read, sensitive parameters hidden', () => {
    const jobRow = (fields: Partial<Job> & Pick<Job, 'entity' | 'recordId' | 'action' | 'params'>) => {
      const repo = h.runtime.data.getRepository(Job);
      return repo.save(
        repo.create({
          module: 'test',
          recordKey: `${fields.entity}:${fields.recordId}`,
          status: 'failed',
          percent: 100,
          steps: [],
          error: null,
          message: null,
          startedBy: cli.name,
          actorId: `cli:${cli.id}`,
          actorRole: 'admin',
          ...fields,
        }),
      );
    };

    it('shows a viewer no job of a record of an entity it may not read (credentials): not listed, not shown, not polled, not on the dashboard', async () => {
      const cred = await credential();
      const job = await jobRow({ entity: 'Credential', recordId: cred.id, action: 'verifyCredential', params: {}, error: `getaddrinfo ENOTFOUND ${cred.domainName}` });
      const listed = (client: AdminClient) => client.get(`/admin/api/resources/Job/actions/list?filters.recordId=${cred.id}`);
      expect((await listed(clients.viewer)).json.meta.total).toBe(0);
      expect((await clients.viewer.get(`/admin/api/resources/Job/actions/list?filters.entity=Credential`)).json.records).toEqual([]);
      expect((await clients.viewer.get(`/admin/api/resources/Job/records/${job.id}/show`)).json.notice).toMatchObject({ type: 'error' });
      const polled = await clients.viewer.get(`/admin/mv/jobs?ids=${job.id}`);
      expect([polled.status, polled.json.error.message]).toEqual([403, expect.stringMatching(/needs the operator role/)]);
      const dashboard = (await clients.viewer.get('/admin/api/dashboard')).json;
      expect(JSON.stringify([dashboard.recentJobs, dashboard.failedJobs])).not.toContain(job.id);
      // Operators read credentials, and their jobs; the list shows the error as the result.
      const asOperator = (await listed(clients.operator)).json;
      expect(asOperator.records.map((r: { id: string; params: { result: string } }) => [r.id, r.params.result])).toEqual([[job.id, job.error]]);
      expect((await clients.operator.get(`/admin/mv/jobs?ids=${job.id}`)).json.jobs[0].id).toBe(job.id);
      // Jobs of widgets stay visible to a viewer.
      const w = await widget();
      const mine = await jobRow({ entity: 'Widget', recordId: w.id, action: 'build', params: { steps: 1 }, status: 'succeeded', message: 'Built\nin one step' });
      expect((await listed(clients.viewer)).json.meta.total).toBe(0);
      const widgetJobs = (await clients.viewer.get(`/admin/api/resources/Job/actions/list?filters.recordId=${w.id}`)).json.records;
      expect(widgetJobs.map((r: { id: string; params: { result: string } }) => [r.id, r.params.result])).toEqual([[mine.id, 'Built']]);
    });

    it('shows parameters declared sensitive (cloud-init user data) only as set, in every job view', async () => {
      const secret = 'chpasswd: { list: "root:hunter2-never-shown" }';
      const recordId = '00000000-0000-4000-8000-00000000abcd';
      const job = await jobRow({ entity: 'ScalewayServer', recordId, action: 'setUserData', params: { key: 'cloud-init', content: secret }, status: 'succeeded' });
      const replies = await Promise.all([
        clients.operator.get(`/admin/api/resources/Job/records/${job.id}/show`),
        clients.operator.get(`/admin/api/resources/Job/actions/list?filters.recordId=${recordId}`),
        clients.operator.get(`/admin/mv/jobs?ids=${job.id}`),
        clients.operator.get(`/admin/mv/records/ScalewayServer/${recordId}/jobs`),
        clients.operator.get('/admin/api/dashboard'),
      ]);
      for (const reply of replies) {
        expect(reply.status).toBe(200);
        expect(reply.text).not.toContain('hunter2');
      }
      expect(JSON.parse(replies[0].json.record.params.params)).toEqual({ key: 'cloud-init', content: '[hidden]' });
      expect(replies[2].json.jobs[0].params).toEqual({ key: 'cloud-init', content: '[hidden]' });
      // What the worker runs is the value as given.
      expect((await h.runtime.queue.get(job.id)).params.content).toBe(secret);
    });
  });

  describe('audit log, users, dashboard', () => {
    it('records creates, updates, deletes and action runs: who, what, when, the differences', async () => {
      const created = await clients.operator.postForm('/admin/api/resources/Widget/actions/new', { name: `audited-${dialect}`, size: '1' });
      const id = created.json.record.id;
      await clients.operator.postForm(`/admin/api/resources/Widget/records/${id}/edit`, { size: '2' });
      const job = await waitForJob((await clients.operator.postJson('/admin/mv/actions/Widget/build', { ids: [id], params: { steps: 1 } })).json.jobs[0].id);
      await clients.operator.postForm(`/admin/api/resources/Widget/records/${id}/delete`, {});
      await h.runtime.audit.flush();
      const entries = await h.runtime.data.getRepository(AuditEntry).find({ where: { entity: 'Widget', recordId: id }, order: { createdAt: 'ASC' } });
      const summary = entries.map((e) => [e.operation, e.actor, e.outcome]);
      expect(summary).toEqual(
        expect.arrayContaining([
          ['create', h.emails.operator, null],
          ['update', h.emails.operator, null],
          ['action-start', h.emails.operator, 'queued'],
          ['action-end', h.emails.operator, 'succeeded'],
          ['delete', h.emails.operator, null],
        ]),
      );
      const update = entries.find((e) => e.operation === 'update')!;
      expect(update.changes).toEqual({ size: { before: 1, after: 2 } });
      expect(update.summary).toBe(`Updated Widget audited-${dialect}`);
      expect(entries.find((e) => e.operation === 'action-start')).toMatchObject({ jobId: job.id, action: 'build', changes: { steps: { after: 1 } } });
      expect(entries.find((e) => e.operation === 'action-end')).toMatchObject({ message: `Built audited-${dialect}` });
      // Admins read it in the back-office; operators do not.
      expect((await clients.admin.get(`/admin/api/resources/AuditEntry/actions/list?filters.recordId=${id}`)).json.meta.total).toBe(entries.length);
      expect((await clients.operator.get('/admin/api/resources/AuditEntry/actions/list')).json.notice).toMatchObject({ type: 'error' });
    });

    it('lets admins manage users: argon2 passwords, field messages, and at least one admin left', async () => {
      const short = await clients.admin.postForm('/admin/api/resources/User/actions/new', { email: `u-${dialect}@test.local`, role: 'viewer', password: 'short' });
      expect(short.json.record.errors.password.message).toMatch(/at least 12/);
      const duplicate = await clients.admin.postForm('/admin/api/resources/User/actions/new', { email: h.emails.viewer, role: 'viewer', password: PASSWORD });
      expect(duplicate.json.record.errors.email.message).toMatch(/already exists/);
      const created = await clients.admin.postForm('/admin/api/resources/User/actions/new', { email: `U-${dialect}@Test.local`, role: 'operator', password: PASSWORD });
      const user = await h.runtime.data.getRepository(User).findOneByOrFail({ id: created.json.record.id });
      expect(user.email).toBe(`u-${dialect}@test.local`);
      expect(user.passwordHash).toMatch(/^\$argon2id\$/);
      expect(created.text).not.toContain('passwordHash');
      await clients.admin.postForm(`/admin/api/resources/User/records/${user.id}/edit`, { password: 'a brand new passphrase' });
      expect((await h.client().login(user.email, 'a brand new passphrase')).status).toBe(302);
      const admin = await h.runtime.data.getRepository(User).findOneByOrFail({ email: h.emails.admin });
      const demote = await clients.admin.postForm(`/admin/api/resources/User/records/${admin.id}/edit`, { role: 'viewer' });
      expect(demote.json.record.errors.role.message).toMatch(/last enabled admin/);
      expect((await clients.admin.postForm(`/admin/api/resources/User/records/${admin.id}/delete`, {})).json.notice).toMatchObject({ type: 'error' });
      expect((await h.runtime.data.getRepository(User).findOneByOrFail({ id: admin.id })).role).toBe('admin');
      // API tokens: a read-only list for admins, without the hashes.
      const tokens = await clients.admin.get('/admin/api/resources/ApiToken/actions/list');
      expect(tokens.json.records.map((r: { params: { name: string } }) => r.params.name).sort()).toEqual(['test-admin', 'test-operator', 'test-viewer']);
      expect(tokens.text).not.toContain('tokenHash');
      expect((await clients.admin.postForm('/admin/api/resources/ApiToken/actions/new', { name: 'x', role: 'admin' })).json.notice).toMatchObject({ type: 'error' });
      expect((await clients.operator.get('/admin/api/resources/ApiToken/actions/list')).json.notice).toMatchObject({ type: 'error' });
    });

    it('keeps an enabled admin when the last two demote each other at the same moment', async () => {
      const users = h.runtime.data.getRepository(User);
      const first = await users.findOneByOrFail({ email: h.emails.admin });
      const { user: second } = await createUser(h.runtime.data, { email: `second-admin-${dialect}@test.local`, role: 'admin', password: PASSWORD });
      const writer = userWriter(h.runtime, h.runtime.entityInfo('User')!);
      const as = (user: User): Actor => ({ kind: 'user', id: user.id, name: user.email, role: 'admin' });
      try {
        const outcomes = await Promise.allSettled([writer.update(first.id, { role: 'viewer' }, as(second)), writer.update(second.id, { role: 'viewer' }, as(first))]);
        expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
        expect(await users.countBy({ role: 'admin', disabled: false })).toBe(1);
      } finally {
        await users.update({ id: first.id }, { role: 'admin' });
        await users.delete({ id: second.id });
      }
    });

    it('feeds the dashboard: resources per group and state, recent and failed jobs', async () => {
      const data = (await clients.viewer.get('/admin/api/dashboard')).json;
      const tests = data.groups.find((g: { name: string }) => g.name === 'Tests');
      const widgets = tests.resources.find((r: { id: string }) => r.id === 'Widget');
      expect(widgets.total).toBe(await h.runtime.data.getRepository('test_widget').count());
      expect(widgets.stateField).toBe('state');
      expect(widgets.states.map((s: { value: string }) => s.value)).toEqual(expect.arrayContaining(['new', 'built', 'broken']));
      // A viewer does not see the credentials group (operators and up).
      expect(data.groups.map((g: { name: string }) => g.name)).not.toContain('Credentials');
      expect(data.recentJobs.length).toBeGreaterThan(0);
      expect(data.failedJobs[0]).toMatchObject({ status: 'failed', entityLabel: 'Widget' });
    });
  });
});
