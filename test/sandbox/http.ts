/** A minimal HTTP client for emulator tests: real requests over loopback, parsed answers. */

export interface Reply {
  status: number;
  headers: Headers;
  /** Parsed JSON (typed loosely: tests read arbitrary answers), the raw text otherwise (`''` when empty). */
  body: any;
}

export interface Client {
  get(path: string): Promise<Reply>;
  post(path: string, body?: unknown): Promise<Reply>;
  patch(path: string, body?: unknown): Promise<Reply>;
  put(path: string, body?: unknown): Promise<Reply>;
  delete(path: string): Promise<Reply>;
  /** Sends a raw text body (user data). */
  patchText(path: string, text: string): Promise<Reply>;
}

export function client(baseUrl: string, token: string | null = 'test-token'): Client {
  const send = async (method: string, path: string, body?: string, contentType?: string): Promise<Reply> => {
    const headers: Record<string, string> = {};
    if (token !== null) headers['X-Auth-Token'] = token;
    if (contentType) headers['Content-Type'] = contentType;
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').includes('json') && text !== '';
    return { status: res.status, headers: res.headers, body: json ? JSON.parse(text) : text };
  };
  const json = (method: string) => (path: string, body?: unknown) =>
    send(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? undefined : 'application/json');
  return {
    get: (path) => send('GET', path),
    post: json('POST'),
    patch: json('PATCH'),
    put: json('PUT'),
    delete: (path) => send('DELETE', path),
    patchText: (path, text) => send('PATCH', path, text, 'text/plain'),
  };
}

/** Polls until `done` holds, or fails after `timeoutMs`. */
export async function waitFor(read: () => Promise<Reply>, done: (reply: Reply) => boolean, timeoutMs = 5000): Promise<Reply> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await read();
    if (done(reply)) return reply;
    if (Date.now() > deadline) throw new Error(`condition not reached; last answer ${reply.status} ${JSON.stringify(reply.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
