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
  beforeAll(async () => {
    h = await startAdmin('sqlite', { worker: false });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-modules-page-'));
    notes = new GitRepo(tmp, 'test-notes').copy(path.join(FIXTURES, 'notes'));
    notes.commit('test-notes 1.0.0', 'v1.0.0');
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

  it('renders in the browser, with the install form for an admin', async () => {
    const browser = await launchBrowser();
    try {
      const { page, external } = await openPage(browser);
      await signIn(page, h.url, h.emails.admin, PASSWORD);
      await page.goto(`${h.url}/admin/pages/modules`);
      await page.waitForSelector('[data-testid="mv-module-mv-infrastructure"]');
      expect(await page.locator('[data-testid="mv-install"]').count()).toBe(1);
      await screenshot(page, 'modules');
      expect(external).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
