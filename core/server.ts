import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express, { type Express, type Request, type RequestHandler } from 'express';
import { apiRouter } from './api/app.js';
import { errorHandler, notFound } from './api/errors.js';
import { requestLog } from './api/request-log.js';
import { MvError } from './errors.js';
import { HOST_ROOT } from './paths.js';
import type { Runtime } from './runtime.js';

export const VERSION: string = JSON.parse(fs.readFileSync(path.join(HOST_ROOT, 'package.json'), 'utf8')).version;

/** Extra routers mounted after the API (the back-office). */
export type Mount = (app: Express) => void | Promise<void>;

/**
 * The host names the server answers to, checked on every request but the health check: a page of any
 * site whose name was pointed at this server (DNS rebinding) is then refused, instead of being "same
 * origin" with it.
 * - `'loopback'` (sandbox mode): 127.0.0.1, localhost or [::1], at the port the request came to;
 * - names (`host`, any port, or `host:port`; MV_PUBLIC_HOSTS); none: any name (no check).
 */
export type AllowedHosts = 'loopback' | string[];

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

/** The HTTP application: health check, the host check, the API, then whatever is mounted (the back-office). */
export async function createApp(runtime: Runtime, mounts: Mount[] = [], hosts: AllowedHosts = []): Promise<Express> {
  const app = express();
  app.disable('x-powered-by');
  // The sandbox has no proxy in front: every client is on loopback, and none may say which host it used.
  // Elsewhere the proxies of MV_TRUST_PROXY may (the scheme for the Secure cookie, the host for the
  // same-origin check, the client's address for the sign-in limiter).
  app.set('trust proxy', hosts === 'loopback' ? false : runtime.config.trustProxy);
  app.use(requestLog(runtime.logger));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version: VERSION });
  });
  app.use(hostCheck(hosts));
  app.use(apiRouter(runtime, VERSION));
  for (const mount of mounts) await mount(app);
  app.use(notFound, errorHandler(runtime.logger));
  return app;
}

/** MV_PUBLIC_HOSTS: comma-separated `host` or `host:port`; unset or empty, any host. */
export function parseHosts(value: string | undefined): string[] {
  const hosts = (value ?? '')
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean);
  const bad = hosts.filter((host) => !/^([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/.test(host));
  if (bad.length) throw new MvError('invalid_request', `MV_PUBLIC_HOSTS takes host names or host:port, comma-separated; got ${bad.join(', ')}`);
  return hosts;
}

function hostCheck(hosts: AllowedHosts): RequestHandler {
  return (req, _res, next) => {
    if (hosts !== 'loopback' && !hosts.length) return next();
    const { name, port } = splitHost(publicHost(req).toLowerCase());
    const allowed =
      hosts === 'loopback'
        ? LOOPBACK.includes(name) && (port ?? 80) === req.socket.localPort
        : hosts.some((each) => {
            const host = splitHost(each);
            return host.name === name && (host.port === undefined || host.port === port);
          });
    if (allowed) return next();
    const which = hosts === 'loopback' ? 'the sandbox answers to 127.0.0.1, localhost and [::1] only' : 'see MV_PUBLIC_HOSTS';
    next(new MvError('forbidden', `Requests for the host "${publicHost(req)}" are refused (${which})`));
  };
}

function splitHost(host: string): { name: string; port?: number } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host);
  return match ? { name: match[1], ...(match[2] && { port: Number(match[2]) }) } : { name: host };
}

/** The host the browser used: the Host header, or X-Forwarded-Host when a trusted proxy (see `trust proxy`) set it. */
export function publicHost(req: Request): string {
  const trust = req.app.get('trust proxy fn') as ((address: string | undefined, hop: number) => boolean) | undefined;
  const forwarded = req.get('x-forwarded-host');
  if (forwarded && trust?.(req.socket.remoteAddress, 0)) return forwarded.split(',')[0].trim();
  return req.get('host') ?? '';
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(app: Express, port: number, host = '0.0.0.0'): Promise<RunningServer> {
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
