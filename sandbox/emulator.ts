/**
 * Shared base of the cloud emulators: an express app with the sandbox control endpoints and fault
 * injection in front of the provider's routes, served on loopback.
 *
 * Control endpoints (never authenticated, never faulted). A POST or DELETE must carry a JSON content
 * type or an `X-...` header (the provider's auth header will do): a request no web page can send to
 * another site without the browser asking first (CORS preflight, which the emulators never allow).
 * - `GET /__sandbox/faults`: the active fault plan, with remaining counts.
 * - `POST /__sandbox/faults`: set faults (JSON plan, see `faults.ts`); answers the active plan.
 * - `DELETE /__sandbox/faults`: clear every fault, including a steady rate limit set at start.
 * - `POST /__sandbox/reset`: restore the seeded state and the faults the emulator started with.
 *
 * A provider builds its emulator in three steps:
 * ```ts
 * const { app, faults, control } = createEmulatorApp({ responses, reset: () => state.reset() });
 * app.use(providerRoutes);                       // behind faults
 * control.post('/seed', ...);                    // provider-specific control endpoint
 * const running = await startEmulator({ name: 'ovh', app });
 * ```
 */
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import { FaultInjector, FaultPlanError, parseFaultPlan, type FaultPlan, type FaultResponses } from './faults.js';

export const CONTROL_PATH = '/__sandbox';

export interface EmulatorAppOptions {
  /** The provider's answers to faults (its 429 and 5xx shapes). */
  responses: FaultResponses;
  /** Restores the seeded state; called by `POST /__sandbox/reset`. */
  reset: () => void;
  /** Faults active from the start and after each reset, e.g. a steady rate limit. */
  faults?: FaultPlan;
}

export interface EmulatorApp {
  /** Mount the provider's routes on it: they run behind fault injection. */
  app: Express;
  faults: FaultInjector;
  /** Router of `/__sandbox`, for provider-specific control endpoints. */
  control: Router;
}

const malformedJson: ErrorRequestHandler = (error, _req, res, next) => {
  if (error?.type !== 'entity.parse.failed') return next(error);
  res.status(400).json({ error: 'the body must be JSON' });
};

/** Refuses what a page of any web site could send here: a CORS "simple" request (see the comment above). */
const notFromWebPages: RequestHandler = (req, res, next) => {
  const json = /^application\/json\s*(;|$)/i.test(req.get('content-type') ?? '');
  if (req.method === 'GET' || req.method === 'HEAD' || json || Object.keys(req.headers).some((name) => name.startsWith('x-'))) return next();
  res.status(415).json({ error: 'send Content-Type: application/json (or an X-Auth-Token header)' });
};

export function createEmulatorApp(options: EmulatorAppOptions): EmulatorApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const faults = new FaultInjector(options.faults);
  const control = express.Router();
  control.use(notFromWebPages, express.json());

  control.get('/faults', (_req, res) => {
    res.json(faults.plan);
  });
  control.post('/faults', (req, res) => {
    try {
      faults.set(parseFaultPlan(req.body));
    } catch (error) {
      if (!(error instanceof FaultPlanError)) throw error;
      res.status(400).json({ error: error.message });
      return;
    }
    res.json(faults.plan);
  });
  control.delete('/faults', (_req, res) => {
    faults.clear();
    res.status(204).end();
  });
  control.post('/reset', (_req, res) => {
    options.reset();
    faults.restoreInitial();
    res.status(204).end();
  });
  control.use(malformedJson);

  app.use(CONTROL_PATH, control);
  app.use(faults.middleware(options.responses));
  return { app, faults, control };
}

export interface StartEmulatorOptions {
  /** For messages: `scaleway`, `ovh`... */
  name: string;
  app: Express;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

export interface RunningEmulator {
  /** Base URL, without a trailing slash: `http://127.0.0.1:54321`. */
  url: string;
  port: number;
  /** Stops listening and drops open connections; calling it again is harmless. */
  close(): Promise<void>;
}

export function startEmulator(options: StartEmulatorOptions): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = options.app.listen(options.port ?? 0, host);
    server.once('error', (error) => reject(new Error(`${options.name} emulator: cannot listen on ${host}:${options.port ?? 0}: ${error.message}`)));
    server.once('listening', () => {
      const { port } = server.address() as AddressInfo;
      let closing: Promise<void> | undefined;
      const close = () =>
        (closing ??= new Promise<void>((done, fail) => {
          server.close((error) => (error ? fail(error) : done()));
          // keep-alive connections would hold close() open
          server.closeAllConnections();
        }));
      resolve({ url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, port, close });
    });
  });
}
