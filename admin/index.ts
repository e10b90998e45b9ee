// First: AdminJS reads where to bundle when it is imported.
import { ADMIN_BUILD_DIR } from './build-dir.js';
import fs from 'node:fs';
import path from 'node:path';
import AdminJSExpress from '@adminjs/express';
import AdminJS, { AppController } from 'adminjs';
import { Router, type RequestHandler } from 'express';
import session from 'express-session';
import { HOST_ROOT } from '../core/paths.js';
import type { Runtime } from '../core/runtime.js';
import type { Mount } from '../core/server.js';
import { authenticator, currentUser, LoginLimiter } from './auth.js';
import { COMPONENTS_SOURCE, loadComponents } from './components.js';
import { dashboardData } from './dashboard.js';
import { locale } from './locale.js';
import { backOfficeEntities, buildResources } from './resources.js';
import { backOfficeRoutes } from './routes.js';
import { sameOriginOnly } from './same-origin.js';
import { sessionStore, type ClosableStore } from './session-store.js';

export const ADMIN_ROOT = '/admin';
const SESSION_HOURS = 8;

export interface AdminMount extends Mount {
  /** The AdminJS instance, once mounted. */
  admin?: AdminJS;
  /** Stops the session store's timers. */
  close(): Promise<void>;
}

/**
 * The back-office, generated from the registry, mounted at /admin:
 * - a same-origin check on every request that could change something, then the session (in the
 *   database; cookie HttpOnly, SameSite=Strict, Secure over https, limited to /admin), then the signed-in
 *   user reloaded from `mv_user` (a disabled user is out at once);
 * - the back-office's own JSON endpoints (action form, job start, job progress) under /admin/mv;
 * - AdminJS with login (argon2, rate limited), resources, action pages and the dashboard.
 * With NODE_ENV=production the custom components are bundled before this resolves, so the server
 * reports ready with its bundle in place; nothing is fetched from another host, by the server or (once
 * the Google Fonts link AdminJS hard-codes is removed) by the browser.
 */
export function adminMount(runtime: Runtime): AdminMount {
  let store: ClosableStore | undefined;
  const mount: AdminMount = async (app) => {
    const { loader, ids } = loadComponents();
    const dashboard = dashboardData(runtime);
    const admin = new AdminJS({
      rootPath: ADMIN_ROOT,
      loginPath: `${ADMIN_ROOT}/login`,
      logoutPath: `${ADMIN_ROOT}/logout`,
      componentLoader: loader,
      resources: buildResources(runtime, ids),
      dashboard: { component: ids.Dashboard, handler: async (_request, _response, context) => dashboard(context.currentAdmin) },
      pages: { modules: { component: ids.Modules, icon: 'Package' } },
      branding: { companyName: 'mv-infra', logo: false, withMadeWithLove: false },
      locale: locale(runtime, backOfficeEntities(runtime)),
      settings: { defaultPerPage: 20 },
    });
    await bundleComponents(admin);
    // The router calls initialize() again without waiting for it; once is enough.
    admin.initialize = async () => undefined;

    store = sessionStore(runtime.data, runtime.logger);
    const secret = runtime.secrets.derive('mv-admin-session').toString('base64url');
    const sessionOptions: session.SessionOptions = {
      store,
      name: 'mv_admin',
      secret,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: { httpOnly: true, sameSite: 'strict', secure: 'auto', path: ADMIN_ROOT, maxAge: SESSION_HOURS * 3600_000 },
    };
    const router = Router();
    router.use(withoutExternalFonts, sameOriginOnly(), session(sessionOptions), currentUser(runtime.data, admin.options.loginPath));
    router.use('/mv', backOfficeRoutes(runtime));
    // @adminjs/express's token refresh throws in an async handler when no auth provider is set: an
    // unhandled rejection, which would stop the process. There is no token to refresh here.
    router.all(admin.options.refreshTokenPath.slice(ADMIN_ROOT.length), (_req, res) => {
      res.status(404).json({ error: { code: 'not_found', message: 'No token refresh: the back-office uses sessions' } });
    });
    AdminJSExpress.buildAuthenticatedRouter(
      admin,
      { authenticate: authenticator(runtime.data, new LoginLimiter(), runtime.logger), cookieName: 'mv_admin', cookiePassword: secret },
      router,
      sessionOptions,
    );
    app.use(ADMIN_ROOT, router);
    mount.admin = admin;
  };
  mount.close = async () => {
    await store?.close();
  };
  return mount;
}

/**
 * Bundles the custom components before the server is ready: in production (minified) always, as
 * AdminJS's initialize() does; in development when the bundle is missing or older than the components
 * (AdminJS would bundle on the first page, but then serve a stale bundle forever). From the package
 * root, because babel resolves its plugins from the working directory.
 */
async function bundleComponents(admin: AdminJS): Promise<void> {
  const production = process.env.NODE_ENV === 'production';
  const bundle = path.join(ADMIN_BUILD_DIR, 'bundle.js');
  if (!production && fs.existsSync(bundle) && fs.statSync(bundle).mtimeMs > newestSource()) return;
  const cwd = process.cwd();
  if (cwd !== HOST_ROOT) process.chdir(HOST_ROOT);
  try {
    if (production) {
      await admin.initialize();
    } else {
      fs.rmSync(bundle, { force: true });
      await new AppController({ admin }, undefined).bundleComponents();
    }
  } finally {
    if (process.cwd() !== cwd) process.chdir(cwd);
  }
}

function newestSource(): number {
  return Math.max(...fs.readdirSync(COMPONENTS_SOURCE).map((name) => fs.statSync(path.join(COMPONENTS_SOURCE, name)).mtimeMs));
}

/** AdminJS's page templates link Google Fonts; without them the system font is used and nothing leaves the network. */
const withoutExternalFonts: RequestHandler = (_req, res, next) => {
  const send = res.send.bind(res);
  res.send = (body?: unknown) => {
    const html = typeof body === 'string' && !/json|javascript/.test(String(res.get('Content-Type') ?? ''));
    return send(html ? (body as string).replace(/<link[^>]*fonts\.googleapis\.com[^>]*>/g, '') : body);
  };
  next();
};
