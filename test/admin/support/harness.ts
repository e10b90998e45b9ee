import { createUser } from '../../../core/auth/users.js';
import type { Role } from '../../../core/roles.js';
import type { Runtime } from '../../../core/runtime.js';
import { adminMount, type AdminMount } from '../../../admin/index.js';
import { startApi, type TestApi } from '../../support/api.js';
import { startRuntime, testDatabase, type Dialect, type TestDatabase } from '../../support/runtime.js';
import { modulesWithWidgets } from '../../support/widgets.js';

export const PASSWORD = 'correct horse battery staple';

export interface AdminHarness {
  db: TestDatabase;
  runtime: Runtime;
  api: TestApi;
  mount: AdminMount;
  url: string;
  /** One user per role: `<role>@test.local`, password PASSWORD. */
  emails: Record<Role, string>;
  client(): AdminClient;
  /** A client signed in as that role's user. */
  signedIn(role: Role): Promise<AdminClient>;
  close(): Promise<void>;
}

/** The real server (API and back-office) on an ephemeral port, the widgets test module, a worker, a user per role. */
export async function startAdmin(dialect: Dialect, options: { worker?: boolean } = {}): Promise<AdminHarness> {
  const db = await testDatabase(dialect);
  const runtime = await startRuntime(db, { modules: await modulesWithWidgets(), worker: options.worker ?? true });
  const emails = {} as Record<Role, string>;
  for (const role of ['viewer', 'operator', 'admin'] as Role[]) {
    emails[role] = `${role}@test.local`;
    await createUser(runtime.data, { email: emails[role], role, password: PASSWORD, name: `${role[0].toUpperCase()}${role.slice(1)} user` });
  }
  const mount = adminMount(runtime);
  const api = await startApi(runtime, [mount]);
  const harness: AdminHarness = {
    db,
    runtime,
    api,
    mount,
    url: api.url,
    emails,
    client: () => new AdminClient(api.url),
    async signedIn(role) {
      const client = new AdminClient(api.url);
      const response = await client.login(emails[role], PASSWORD);
      if (response.status !== 302 || response.headers.get('location') !== '/admin') throw new Error(`login as ${role} failed: ${response.status}`);
      return client;
    },
    async close() {
      await api.close();
      await mount.close();
      await runtime.close();
      await db.drop();
    },
  };
  return harness;
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** fetch with a cookie jar, for the back-office's session; sends this server's Origin unless told otherwise. */
export class AdminClient {
  cookie?: string;
  lastSetCookie: string[] = [];

  constructor(readonly base: string) {}

  login(email: string, password: string, origin: string | null = this.base): Promise<Reply> {
    return this.request('POST', '/admin/login', { form: { email, password }, origin });
  }

  get(path: string, options: { origin?: string | null; headers?: Record<string, string> } = {}): Promise<Reply> {
    return this.request('GET', path, { origin: null, ...options });
  }

  /** A multipart POST, as AdminJS's forms send. */
  postForm(path: string, fields: Record<string, string>, options: { origin?: string | null } = {}): Promise<Reply> {
    const body = new FormData();
    for (const [name, value] of Object.entries(fields)) body.append(name, value);
    return this.request('POST', path, { body, ...options });
  }

  postJson(path: string, value: unknown, options: { origin?: string | null; headers?: Record<string, string> } = {}): Promise<Reply> {
    return this.request('POST', path, { body: JSON.stringify(value), headers: { 'content-type': 'application/json', ...options.headers }, origin: options.origin });
  }

  async request(
    method: string,
    path: string,
    options: { form?: Record<string, string>; body?: BodyInit; origin?: string | null; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookie) headers.cookie = this.cookie;
    const origin = options.origin === undefined ? this.base : options.origin;
    if (origin) headers.origin = origin;
    let body = options.body;
    if (options.form) {
      body = new URLSearchParams(options.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const response = await fetch(this.base + path, { method, headers, body, redirect: 'manual' });
    this.lastSetCookie = response.headers.getSetCookie();
    const session = this.lastSetCookie.find((c) => c.startsWith('mv_admin='));
    if (session) this.cookie = session.split(';')[0];
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }
}
