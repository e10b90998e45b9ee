import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { apiRouter } from './api/app.js';
import { errorHandler, notFound } from './api/errors.js';
import { requestLog } from './api/request-log.js';
import { HOST_ROOT } from './paths.js';
import type { Runtime } from './runtime.js';

export const VERSION: string = JSON.parse(fs.readFileSync(path.join(HOST_ROOT, 'package.json'), 'utf8')).version;

/** Extra routers mounted before the API (the back-office). */
export type Mount = (app: Express) => void | Promise<void>;

/** The HTTP application: health check, the API, then whatever is mounted (the back-office). */
export async function createApp(runtime: Runtime, mounts: Mount[] = []): Promise<Express> {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestLog(runtime.logger));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', version: VERSION });
  });
  app.use(apiRouter(runtime, VERSION));
  for (const mount of mounts) await mount(app);
  app.use(notFound, errorHandler(runtime.logger));
  return app;
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
