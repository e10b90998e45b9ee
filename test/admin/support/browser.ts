import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { HOST_ROOT } from '../../../core/paths.js';
import { startAdmin, type AdminHarness } from './harness.js';

/** Screenshots for reviewers, not committed (test-output/ is ignored by git). */
export const OUTPUT_DIR = path.join(HOST_ROOT, 'test-output', 'admin');

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
}

export interface TestPage {
  page: Page;
  context: BrowserContext;
  /** Requests to any host but this machine: blocked, and listed here. */
  external: string[];
}

/** A page in a fresh context (its own cookies) that can reach only this machine. */
export async function openPage(browser: Browser, options: { locale?: string } = {}): Promise<TestPage> {
  const context = await browser.newContext({ locale: options.locale ?? 'en-GB', timezoneId: 'Europe/Paris', viewport: { width: 1400, height: 900 } });
  const external: string[] = [];
  await context.route(/^(?!https?:\/\/(127\.0\.0\.1|localhost)[:/])/, (route) => {
    const url = route.request().url();
    if (/^(data|blob):/.test(url)) return route.continue();
    external.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return { page, context, external };
}

export async function signIn(page: Page, base: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/admin`);
  await page.waitForURL('**/admin/login');
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(/\/admin$/), page.getByRole('button', { name: /log ?in/i }).click()]);
  await page.waitForSelector('[data-css="sidebar"]');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = path.join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The server on SQLite and a browser, for a browser test file; close() stops both. */
export async function startWithBrowser(): Promise<{ h: AdminHarness; browser: Browser; close(): Promise<void> }> {
  const h = await startAdmin('sqlite');
  const browser = await launchBrowser();
  return {
    h,
    browser,
    async close() {
      await browser.close();
      await h.close();
    },
  };
}
