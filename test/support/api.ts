import { createToken } from '../../core/auth/tokens.js';
import type { Role } from '../../core/roles.js';
import type { Runtime } from '../../core/runtime.js';
import { createApp, listen, type Mount, type RunningServer } from '../../core/server.js';

export interface TestApi {
  server: RunningServer;
  url: string;
  tokens: Record<Role, string>;
  /** fetch against the API with a role's token; JSON in, parsed JSON out. */
  call(role: Role | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers; text: string }>;
  close(): Promise<void>;
}

/** The real HTTP app on an ephemeral port, with one token per role. */
export async function startApi(runtime: Runtime, mounts: Mount[] = []): Promise<TestApi> {
  const server = await listen(await createApp(runtime, mounts), 0, '127.0.0.1');
  const tokens = {} as Record<Role, string>;
  for (const role of ['viewer', 'operator', 'admin'] as Role[]) {
    tokens[role] = (await createToken(runtime.data, { name: `test-${role}`, role, createdBy: 'test' })).token;
  }
  return {
    server,
    url: server.url,
    tokens,
    async call(role, method, path, body) {
      const headers: Record<string, string> = {};
      if (role) headers.authorization = `Bearer ${tokens[role]}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(server.url + path, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: response.status, body: parsed, headers: response.headers, text };
    },
    close: () => server.close(),
  };
}
