import './support/production-env.js';
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Job } from '../../core/jobs/job.entity.js';
import { openPage, screenshot, signIn, startWithBrowser, type TestPage } from './support/browser.js';
import { PASSWORD, type AdminHarness } from './support/harness.js';

/** Connections this process opens to anything but this machine: there must be none. */
const outbound: string[] = [];
const LOCAL = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/;
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  const options = (typeof args[0] === 'object' && args[0] !== null ? args[0] : { port: args[0], host: typeof args[1] === 'string' ? args[1] : undefined }) as {
    host?: string;
    port?: unknown;
    path?: string;
  };
  if (!options.path && !LOCAL.test(options.host ?? 'localhost')) outbound.push(`${options.host}:${String(options.port)}`);
  return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof connect;

/**
 * The back-office in Debian's Chromium, as deployed: NODE_ENV=production, offline. What a user sees and
 * clicks; every request of the browser to another host is blocked and recorded, every connection of the
 * server to another host is recorded: there must be none. Screenshots go to test-output/admin/.
 */
describe('back-office in a browser, in production mode, offline', () => {
  let h: AdminHarness;
  let browser: Browser;
  const pages: TestPage[] = [];
  const cli = { kind: 'cli' as const, id: 'test', name: 'cli:test', role: 'admin' as const };
  const SECRET = 'tok-7c1e5b2a-do-not-leak';
  let counter = 0;

  const widget = (fields: Record<string, unknown> = {}) =>
    h.runtime.entities.create(h.runtime.registry.entity('Widget'), { name: `ui-${++counter}`, ...fields }, cli);
  const jobCount = () => h.runtime.data.getRepository(Job).count();
  const signedIn = new Map<string, Page>();
  /**
   * A signed-in page, one per role and locale, reused by the tests (signing in loads the development
   * bundles; the first sign-in of the file also builds the components bundle).
   */
  const asUser = async (role: 'viewer' | 'operator' | 'admin', options: { locale?: string } = {}): Promise<Page> => {
    const key = `${role}:${options.locale ?? ''}`;
    if (!signedIn.has(key)) {
      const opened = await openPage(browser, options);
      pages.push(opened);
      await signIn(opened.page, h.url, h.emails[role], PASSWORD);
      signedIn.set(key, opened.page);
    }
    return signedIn.get(key)!;
  };

  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ h, browser, close: stop } = await startWithBrowser());
  });
  afterAll(async () => {
    await stop?.();
    net.Socket.prototype.connect = connect;
    for (const { external } of pages) expect(external).toEqual([]);
    expect(outbound).toEqual([]);
  });

  it('has bundled the components before the server was ready, into a folder whose name has no leading dot', async () => {
    const bundle = path.join(process.env.ADMIN_JS_TMP_DIR!, 'bundle.js');
    expect(path.basename(process.env.ADMIN_JS_TMP_DIR!).startsWith('.')).toBe(false);
    expect(fs.existsSync(bundle)).toBe(true);
    const served = await h.client().get('/admin/frontend/assets/components.bundle.js');
    expect(served.status).toBe(200);
    expect(served.text).toBe(fs.readFileSync(bundle, 'utf8'));
    expect(served.text).toContain('MvRunAction');
    // Minified: the production bundle has no indented lines.
    expect(served.text.split('\n').filter((line) => line.startsWith('  ')).length).toBeLessThan(10);
    const page = await h.client().get('/admin/login');
    expect(page.text).toContain('app.bundle.js');
    expect(page.text).not.toContain('fonts.googleapis.com');
  });

  it('signs in, shows the dashboard, lists a resource and opens a record', async () => {
    const built = await widget({ state: 'built' });
    await widget({ state: 'broken' });
    await h.runtime.runner.wait((await h.runtime.runner.invoke({ entity: 'Widget', action: 'break', recordId: built.id, actor: cli }))[0].id, 10);
    const page = await asUser('operator', { locale: 'de-DE' });
    await page.waitForSelector('[data-testid="mv-dashboard-resource"][data-resource="Widget"]');
    await page.waitForSelector('[data-testid="mv-failed-jobs"]');
    expect(await page.textContent('[data-testid="mv-dashboard-group"][data-group="Tests"]')).toMatch(/built: 1/);
    await screenshot(page, 'dashboard');

    await page.click('text=Tests');
    await page.click('a[href="/admin/resources/Widget"]');
    await page.waitForSelector('[data-css="Widget-table-row"]');
    expect(await page.locator('[data-css="Widget-table-row"]').count()).toBe(2);
    expect(await page.textContent('thead')).toMatch(/Name.*State/s);
    await screenshot(page, 'list');

    await page.locator(`[data-css="Widget-table-row"][data-id="${built.id}"] td`).nth(1).click();
    await page.waitForURL(`**/Widget/records/${built.id}/show`);
    await page.waitForSelector('[data-testid="record-jobs"] li');
    expect(await page.textContent('section, main, body')).toContain(built.name);
    // Dates in the reader's locale (de-DE: 23.11.2026, 00:44:05), the ISO value in the tooltip.
    const date = page.locator('[data-testid="local-date"]').first();
    expect(await date.textContent()).toMatch(/^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}:\d{2}$/);
    expect(await date.getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await page.textContent('[data-testid="record-jobs"]')).toMatch(/break\s*failed/);
  });

  it('shows the field message of a bad field in the form and saves nothing', async () => {
    const page = await asUser('operator');
    const before = await h.runtime.data.getRepository('test_widget').count();
    await page.goto(`${h.url}/admin/resources/Widget/actions/new`);
    await page.fill('#name', 'too-big');
    await page.fill('#size', '5000');
    await page.click('[data-testid="button-save"]');
    await page.waitForSelector('text=must not be greater than 1000');
    await page.waitForSelector('[data-testid="notice-wrapper"]');
    expect(page.url()).toContain('/actions/new');
    expect(await h.runtime.data.getRepository('test_widget').count()).toBe(before);
    // Corrected, it is saved and the record's page opens.
    await page.fill('#size', '50');
    await page.click('[data-testid="button-save"]');
    await page.waitForURL(/\/Widget\/records\/[0-9a-f-]+\/show(\?|$)/);
    expect(await h.runtime.data.getRepository('test_widget').findOneBy({ name: 'too-big' })).toMatchObject({ size: 50 });
  });

  it('runs an instance action: confirmation, live progress, success message, refreshed record', async () => {
    const w = await widget();
    const page = await asUser('operator');
    await page.goto(`${h.url}/admin/resources/Widget/records/${w.id}/show`);
    await page.click('[data-testid="action-build"]');
    await page.waitForSelector('[data-testid="mv-confirm"]');
    expect(await page.textContent('[data-testid="mv-confirm"]')).toContain(`Build ${w.name}? It cannot be undone.`);
    // The parameters come pre-filled with their defaults.
    expect(await page.inputValue('[data-testid="mv-param-steps"]')).toBe('3');
    expect(await page.inputValue('[data-testid="mv-param-delayMs"]')).toBe('20');
    // Parameters are checked by the server, the message shown under the field.
    await page.fill('[data-testid="mv-param-steps"]', '0');
    await page.click('[data-testid="mv-run"]');
    await page.waitForSelector('[data-testid="mv-param-steps-error"]:has-text("must be ≥ 1")');
    await page.fill('[data-testid="mv-param-steps"]', '4');
    await page.fill('[data-testid="mv-param-delayMs"]', '700');
    await page.fill('[data-testid="mv-param-label"]', 'by hand');
    await page.click('[data-testid="mv-run"]');
    // Live progress: a step message and a percentage between 0 and 100.
    await page.waitForSelector('[data-testid="mv-job"][data-status="running"] [data-testid="mv-step"]:text-matches("Step [12] of 4")');
    const percent = Number((await page.textContent('[data-testid="mv-percent"]'))!.replace('%', ''));
    expect(percent).toBeGreaterThan(0);
    expect(percent).toBeLessThan(100);
    await screenshot(page, 'action-in-progress');
    await page.waitForSelector('[data-testid="mv-result"]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid="mv-result"]')).toContain(`Built ${w.name} (by hand)`);
    expect(await page.locator('[data-testid="mv-steps"] li').allTextContents()).toEqual([
      expect.stringContaining('Queued'),
      expect.stringContaining('Step 1 of 4'),
      expect.stringContaining('Step 2 of 4'),
      expect.stringContaining('Step 3 of 4'),
      expect.stringContaining('Step 4 of 4'),
      expect.stringContaining('Succeeded'),
    ]);
    // The record as it is now in the database.
    await page.waitForSelector('[data-testid="mv-refreshed-record"] [data-css="Widget-state-show"], [data-testid="mv-refreshed-record"]');
    expect(await page.textContent('[data-testid="mv-refreshed-record"]')).toMatch(/State\s*built/i);
    await screenshot(page, 'action-succeeded');
    await page.click('[data-testid="mv-back"]');
    await page.waitForURL(`**/Widget/records/${w.id}/show`);
    await page.waitForSelector('[data-testid="record-jobs"] li');
    expect(await page.textContent('body')).toMatch(/built/i);
  });

  it('runs a failing action and shows the failure reason in plain words', async () => {
    const w = await widget();
    const page = await asUser('operator');
    await page.goto(`${h.url}/admin/resources/Widget/records/${w.id}/show`);
    await page.click('[data-testid="action-break"]');
    await page.click('[data-testid="mv-run"]');
    await page.waitForSelector('[data-testid="mv-failure"]');
    expect(await page.textContent('[data-testid="mv-failure"]')).toContain(`Failed to execute action Break. Failure reason: ${w.name} refuses to break`);
    await screenshot(page, 'action-failed');
    // An unexpected error in a handler: a sentence, no stack trace.
    await page.goto(`${h.url}/admin/resources/Widget/records/${w.id}/crash`);
    await page.click('[data-testid="mv-run"]');
    await page.waitForSelector('[data-testid="mv-failure"]');
    const text = await page.textContent('[data-testid="mv-failure"]');
    expect(text).toContain('Failed to execute action Crash. Failure reason: Unexpected error: undefined is not a function (cause: Error: deep cause)');
    expect(text).not.toMatch(/at \S+ \(/);
  });

  it('runs a list action from the list header and a bulk action on selected rows', async () => {
    const [a, b] = [await widget(), await widget()];
    const page = await asUser('operator');
    await page.goto(`${h.url}/admin/resources/Widget`);
    await page.click('[data-testid="action-count"]');
    // The breadcrumb names the action by its label, as its button does.
    expect(await page.textContent('[data-css="Widget-count-breadcrumbs"]')).toContain('Count widgets');
    await page.click('[data-testid="mv-run"]');
    await page.waitForSelector('[data-testid="mv-result"]');
    expect(await page.textContent('[data-testid="mv-result"]')).toMatch(/^\d+ widgets$/);

    await page.goto(`${h.url}/admin/resources/Widget?perPage=50`, { waitUntil: 'networkidle' });
    for (const id of [a.id, b.id]) {
      // The list may render its rows again (its records arriving late on a busy machine) and drop a click:
      // click again until the row stays selected.
      const box = page.locator(`[data-css="Widget-table-row"][data-id="${id}"] input[type=checkbox]`);
      for (let attempt = 0; !(await box.isChecked()); attempt++) {
        if (attempt === 20) throw new Error(`row ${id} could not be selected`);
        await box.click({ force: true });
        await page.waitForTimeout(100);
      }
    }
    await page.click('[data-testid="action-buildSelected"]');
    await page.waitForSelector('[data-testid="mv-targets"]');
    expect(await page.textContent('[data-testid="mv-targets"]')).toContain('On 2 Widget records');
    await page.fill('[data-testid="mv-param-steps"]', '1');
    await page.click('[data-testid="mv-run"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="mv-job"][data-status="succeeded"]').length === 2);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="mv-refreshed-record"]').length === 2);
  });

  it('shows a viewer no action buttons, and refuses the action when called directly', async () => {
    const w = await widget();
    const page = await asUser('viewer');
    await page.goto(`${h.url}/admin/resources/Widget/records/${w.id}/show`);
    await page.waitForSelector('[data-testid="record-jobs"]');
    // No button that changes anything; what is left is "Show" and the list action open to viewers ("Count widgets").
    const buttons = async () => [...new Set(await page.locator('[data-testid^="action-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid'))))].sort();
    expect(await buttons()).toEqual(['action-count']);
    await page.goto(`${h.url}/admin/resources/Widget`);
    await page.waitForSelector('[data-css="Widget-table-row"]');
    await page.locator('[data-css="Widget-table-row"] [data-testid="actions-dropdown"]').first().hover();
    await page.waitForSelector('[data-testid="action-show"]');
    expect(await buttons()).toEqual(['action-count', 'action-show']);
    // Opening the action's page directly shows no run button; posting to its endpoint is refused.
    await page.goto(`${h.url}/admin/resources/Widget/records/${w.id}/build`);
    await page.waitForSelector('text=/There is no action|cannot perform|You cannot/i');
    expect(await page.locator('[data-testid="mv-run"]').count()).toBe(0);
    const before = await jobCount();
    const refused = await page.evaluate(async (id) => {
      const response = await fetch('/admin/mv/actions/Widget/build', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ids: [id] }) });
      return { status: response.status, body: await response.json() };
    }, w.id);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/needs the operator role/);
    expect(await jobCount()).toBe(before);
  });

  it('shows jobs with their progress and the audit log of changes and action runs', async () => {
    const w = await widget();
    const [job] = await h.runtime.runner.invoke({ entity: 'Widget', action: 'build', recordId: w.id, params: { steps: 2 }, actor: cli });
    await h.runtime.runner.wait(job.id, 10);
    await h.runtime.audit.flush();
    const page = await asUser('admin');
    await page.goto(`${h.url}/admin/resources/Job/records/${job.id}/show`);
    await page.waitForSelector('[data-testid="job-steps"] li');
    expect(await page.locator('[data-testid="job-steps"] li').allTextContents()).toEqual([
      expect.stringContaining('Queued'),
      expect.stringContaining('Step 1 of 2'),
      expect.stringContaining('Step 2 of 2'),
      expect.stringContaining('Succeeded'),
    ]);
    expect(await page.getAttribute('[data-testid="link-recordId"]', 'href')).toBe(`/admin/resources/Widget/records/${w.id}/show`);
    await screenshot(page, 'job');
    await page.goto(`${h.url}/admin/resources/AuditEntry?filters.recordId=${w.id}`);
    await page.waitForSelector('[data-css="AuditEntry-table-row"]');
    expect(await page.locator('[data-css="AuditEntry-table-row"]').count()).toBe(3);
    expect(await page.textContent('tbody')).toMatch(/Requested build on Widget/);
    await screenshot(page, 'audit-log');
  });

  it('starts no job when a page of another site sends GET and POST requests to the action URLs', async () => {
    const w = await widget();
    const page = await asUser('operator');
    const target = h.url;
    const evil = http.createServer((_req, res) => {
      const run = `${target}/admin/mv/actions/Widget/build`;
      const adminjs = `${target}/admin/api/resources/Widget/records/${w.id}/build`;
      res.setHeader('content-type', 'text/html');
      res.end(`<!doctype html><title>evil</title>
        <iframe name="a"></iframe><iframe name="b"></iframe><iframe name="c" src="${adminjs}"></iframe>
        <img src="${adminjs}"><img src="${run}?ids=${w.id}">
        <form id="f1" target="a" method="POST" action="${run}" enctype="text/plain"><input name='{"ids":["${w.id}"],"x":"' value='"}'></form>
        <form id="f2" target="b" method="POST" action="${adminjs}"><input name="steps" value="1"></form>
        <script>
          const loaded = (name) => new Promise((resolve) => document.querySelector('iframe[name=' + name + ']').addEventListener('load', resolve, { once: true }));
          Promise.allSettled([
            fetch('${run}', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ ids: ['${w.id}'] }) }),
            fetch('${adminjs}', { method: 'POST', mode: 'no-cors', credentials: 'include' }),
            fetch('${adminjs}', { mode: 'no-cors', credentials: 'include' }),
          ]).then(() => {
            const done = Promise.all([loaded('a'), loaded('b')]);
            document.getElementById('f1').submit();
            document.getElementById('f2').submit();
            return done;
          }).then(() => { document.title = 'done'; });
        </script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const before = await jobCount();
      // localhost and 127.0.0.1 are different sites: the session cookie (SameSite=Strict) stays home.
      await page.goto(`http://localhost:${(evil.address() as AddressInfo).port}/`);
      await page.waitForFunction(() => document.title === 'done');
      expect(await jobCount()).toBe(before);
    } finally {
      evil.close();
    }
  });

  it('never shows a credential secret: forms are write-only and no page or API answer carries it', async () => {
    const page = await asUser('admin');
    const bodies: string[] = [];
    const collect = async (response: Response) => {
      if (response.url().startsWith(h.url) && !response.url().includes('/frontend/assets/')) bodies.push(await response.text().catch(() => ''));
    };
    page.on('response', collect);
    await page.goto(`${h.url}/admin/resources/Credential/actions/new`);
    await page.fill('#domainName', 'api.secret.example.com');
    await page.fill('#headerKey', 'X-Auth-Token');
    await page.fill('#apiKey', SECRET);
    await page.fill('[data-testid="json-edit-extraParameters"]', '{"region": "fr-par", "project": "ops"}');
    await page.click('[data-testid="button-save"]');
    await page.waitForURL(/\/Credential\/records\/[0-9a-f-]+\/show(\?|$)/);
    const id = /records\/([0-9a-f-]+)\/show/.exec(page.url())![1];
    await page.waitForSelector('[data-testid="secret-apiKey"][data-set="true"]');
    expect(await page.textContent('[data-testid="json-extraParameters"]')).toMatch(/region\s*fr-par.*project\s*ops/s);
    await screenshot(page, 'credential');
    const html = [await page.content()];
    await page.goto(`${h.url}/admin/resources/Credential`);
    await page.waitForSelector('[data-css="Credential-table-row"]');
    html.push(await page.content());
    await page.goto(`${h.url}/admin/resources/Credential/records/${id}/edit`);
    await page.waitForSelector('#apiKey');
    html.push(await page.content());
    expect(await page.inputValue('#apiKey')).toBe('');
    // Saving the edit form with the secret left empty keeps it.
    const stored = (await h.runtime.data.getRepository('credential').findOneBy({ id }))!.apiKey;
    await page.fill('#username', 'robot');
    await page.click('[data-testid="button-save"]');
    await page.waitForURL(new RegExp(`/Credential/records/${id}/show(\\?|$)`));
    await page.waitForSelector('[data-testid="secret-apiKey"][data-set="true"]');
    expect((await h.runtime.data.getRepository('credential').findOneBy({ id }))!.apiKey).toBe(stored);
    html.push(await page.content());
    page.off('response', collect);
    for (const text of [...html, ...bodies]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('mvenc:');
    }
    expect(bodies.length).toBeGreaterThan(5);
  });
});
