import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, GitRepo } from '../modules/support.js';
import { launchBrowser, openPage, screenshot, signIn } from './support/browser.js';
import { PASSWORD, startAdmin, type AdminHarness } from './support/harness.js';

/** The back-office's Modules page: the installed set for everyone, install/upgrade/uninstall for admins. */
describe('Modules page', () => {
  let h: AdminHarness;
  let tmp: string;
  let notes: GitRepo;
  /** Needs test-notes without saying where it is: the install gives it a dependency URL. */
  let notesUser: GitRepo;
  beforeAll(async () => {
    h = await startAdmin('sqlite', { worker: false });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-modules-page-'));
    notes = new GitRepo(tmp, 'test-notes').copy(path.join(FIXTURES, 'notes'));
    notes.commit('test-notes 1.0.0', 'v1.0.0');
    // The default branch moves on to 2.0.0: only the ref given with the dependency URL fits.
    notes.edit('module.json', (text) => text.replace('"1.0.0"', '"2.0.0"')).commit('test-notes 2.0.0');
    notesUser = new GitRepo(tmp, 'test-notes-user').copy(path.join(FIXTURES, 'prebuilt/module.js'), 'module.js');
    notesUser
      .write('module.json', JSON.stringify({ code: 'test-notes-user', description: 'Needs test-notes', license: 'MIT', currentVersion: '1.0.0', moduleDependencies: [{ code: 'test-notes', currentVersion: '^1.0.0' }], entryPoint: 'module.js' }))
      .commit('test-notes-user');
  });
  afterAll(async () => {
    await h.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('shows a viewer the installed modules, and refuses them any change', async () => {
    const viewer = await h.signedIn('viewer');
    const page = await viewer.get('/admin/mv/modules');
    expect(page.status).toBe(200);
    expect(page.json.canManage).toBe(false);
    // The harness also runs a test module the data dir does not list: what runs and what is installed differ.
    expect(page.json.running.map((m: { code: string }) => m.code)).toEqual(['mv-credentials', 'mv-infrastructure', 'test-widgets']);
    expect(page.json.installed.map((m: { code: string }) => m.code)).toEqual(['mv-credentials', 'mv-infrastructure']);
    const refused = await viewer.postJson('/admin/mv/modules/install', { url: notes.url });
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toBe('Installing modules needs the admin role; viewer@test.local is viewer');
  });

  it('lets an admin install from git, refuses a malicious URL, and uninstalls', async () => {
    const admin = await h.signedIn('admin');
    const evil = await admin.postJson('/admin/mv/modules/install', { url: 'ext::sh -c touch% /tmp/pwned' });
    expect(evil.status).toBe(400);
    expect(evil.json.error.message).toMatch(/ext::/);
    const crossSite = await admin.postJson('/admin/mv/modules/install', { url: notes.url }, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);

    const installed = await admin.postJson('/admin/mv/modules/install', { url: notes.url, ref: 'v1.0.0' });
    expect(installed.status, installed.text).toBe(200);
    expect(installed.json).toMatchObject({ changes: [{ code: 'test-notes', action: 'installed', version: '1.0.0' }], restartRequired: true });
    const page = await admin.get('/admin/mv/modules');
    expect(page.json).toMatchObject({ canManage: true, restartRequired: true });
    expect(page.json.installed.map((m: { code: string }) => m.code)).toContain('test-notes');

    const removed = await admin.postJson('/admin/mv/modules/test-notes/uninstall', { purge: true });
    expect(removed.json.changes).toEqual([expect.objectContaining({ code: 'test-notes', action: 'uninstalled', purged: true })]);
  });

  it('takes the install form’s dependency URLs and on-conflict choice', async () => {
    const admin = await h.signedIn('admin');
    const installed = await admin.postJson('/admin/mv/modules/install', { url: notesUser.url, onConflict: 'fail', dependencyUrls: { 'test-notes': `${notes.url}#v1.0.0` } });
    expect(installed.status, installed.text).toBe(200);
    expect(installed.json.changes).toEqual([
      expect.objectContaining({ code: 'test-notes', action: 'installed', version: '1.0.0', dependencyOf: 'test-notes-user', git: expect.objectContaining({ ref: 'v1.0.0' }) }),
      expect.objectContaining({ code: 'test-notes-user', action: 'installed' }),
    ]);
    const again = { url: notes.url, ref: 'v1.0.0' };
    expect((await admin.postJson('/admin/mv/modules/install', again)).json.error.message).toMatch(/test-notes 1\.0\.0 is already installed/);
    expect((await admin.postJson('/admin/mv/modules/install', { ...again, onConflict: 'skip' })).json.changes).toEqual([expect.objectContaining({ code: 'test-notes', action: 'skipped' })]);

    for (const code of ['test-notes-user', 'test-notes']) expect((await admin.postJson(`/admin/mv/modules/${code}/uninstall`, { purge: true })).status).toBe(200);
  });

  it('renders in the browser, with the install form for an admin', async () => {
    const browser = await launchBrowser();
    try {
      const { page, external } = await openPage(browser);
      await signIn(page, h.url, h.emails.admin, PASSWORD);
      await page.goto(`${h.url}/admin/pages/modules`);
      await page.waitForSelector('[data-testid="mv-module-mv-infrastructure"]');
      expect(await page.locator('[data-testid="mv-install"]').count()).toBe(1);

      // What the install form sends (the endpoint is tested above): answered here, nothing installed.
      let sent: unknown;
      await page.route('**/admin/mv/modules/install', (route) => {
        sent = route.request().postDataJSON();
        return route.fulfill({ contentType: 'application/json', body: JSON.stringify({ changes: [], restartRequired: false }) });
      });
      await page.fill('#mv-install-url', notesUser.url);
      await page.fill('#mv-install-dependency-urls', `test-notes=${notes.url}#v1.0.0\n\n  mv-credentials = ${notes.url}#:credentials  `);
      await page.click('#mv-install-on-conflict');
      await page.getByText('replace it (overwrite)').click();
      await screenshot(page, 'modules');
      await page.getByRole('button', { name: 'Install', exact: true }).click();
      await page.waitForSelector('[data-testid="mv-modules-notice"]');
      expect(sent).toEqual({ url: notesUser.url, onConflict: 'overwrite', dependencyUrls: { 'test-notes': `${notes.url}#v1.0.0`, 'mv-credentials': `${notes.url}#:credentials` } });
      expect(external).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
