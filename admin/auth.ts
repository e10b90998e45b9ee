import type { CurrentAdmin } from 'adminjs';
import type { Request, RequestHandler } from 'express';
import type { DataSource } from 'typeorm';
import { User } from '../core/auth/user.entity.js';
import { hashPassword, verifyPassword } from '../core/auth/users.js';
import { MvError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { isRole, type Actor, type Role } from '../core/roles.js';

declare module 'express-session' {
  interface SessionData {
    adminUser?: CurrentAdmin;
    redirectTo?: string;
  }
}

/** What the login page says when the limiter refuses (a sentence: AdminJS shows it as it is). */
export const TOO_MANY_ATTEMPTS = 'Too many failed sign-in attempts: wait a few minutes, then try again.';

/** What it says when anything else goes wrong: the login page is anonymous, the cause goes to the log. */
export const SIGN_IN_UNAVAILABLE = 'Sign-in is unavailable; try again later.';

export function roleOf(admin: CurrentAdmin | undefined): Role | undefined {
  return isRole(admin?.role) ? admin.role : undefined;
}

/** The signed-in user as the runtime knows actors: jobs, the audit log and the rules see the same. */
export function actorOf(admin: CurrentAdmin | undefined): Actor {
  const role = roleOf(admin);
  if (!admin?.id || !role) throw new MvError('unauthorized', 'Not signed in');
  return { kind: 'user', id: admin.id, name: admin.email, role };
}

/** What the session keeps of a user: never the password hash. */
export function sessionUser(user: User): CurrentAdmin {
  return { id: user.id, email: user.email, title: user.name ?? user.email, role: user.role };
}

/** Keys kept at most; beyond, the expired ones are dropped (addresses and emails sprayed by a script). */
const MAX_KEYS = 10_000;

/**
 * Failed logins per client address and email, and per client address whatever the email, over a sliding
 * window (by default 5 per email from one address, 20 per address, in 15 minutes). Not per email alone:
 * then anyone, anywhere, could keep a user locked out by failing on purpose. In memory: each instance
 * counts its own attempts, which still bounds password guessing to a handful of tries per email, address
 * and quarter of an hour per instance. Behind a proxy the address is the client's only if MV_TRUST_PROXY
 * names the proxy; otherwise every client shares the proxy's address and its limit.
 */
export class LoginLimiter {
  private readonly byKey = new Map<string, number[]>();

  constructor(
    private readonly limits = { perAddress: 20, perEmail: 5, windowMs: 15 * 60_000 },
    private readonly now: () => number = Date.now,
  ) {}

  blocked(address: string, email?: string): boolean {
    return this.count(`ip:${address}`) >= this.limits.perAddress || (email !== undefined && this.count(pairKey(address, email)) >= this.limits.perEmail);
  }

  failed(address: string, email: string): void {
    if (this.byKey.size > MAX_KEYS) for (const key of [...this.byKey.keys()]) this.count(key);
    for (const key of [`ip:${address}`, pairKey(address, email)]) this.byKey.set(key, [...(this.byKey.get(key) ?? []), this.now()]);
  }

  /** The user is in: their own typos from there are forgotten (the address's count stays, or a valid account would reset it). */
  succeeded(address: string, email: string): void {
    this.byKey.delete(pairKey(address, email));
  }

  /** Failures still in the window; forgets the older ones. */
  private count(key: string): number {
    const since = this.now() - this.limits.windowMs;
    const recent = (this.byKey.get(key) ?? []).filter((at) => at > since);
    if (recent.length) this.byKey.set(key, recent);
    else this.byKey.delete(key);
    return recent.length;
  }
}

function pairKey(address: string, email: string): string {
  return `email:${address} ${normalize(email)}`;
}

function normalize(email: string): string {
  return email.trim().toLowerCase();
}

/** Verified against when the email is unknown, so that the answer takes as long either way. */
let decoyHash: Promise<string> | undefined;

/**
 * Checks an email and password against `mv_user` (argon2), counting failures; on success the session is
 * regenerated (a session id set before login is never reused, the page to go back to is kept) and holds
 * the user's id, email and role. @adminjs/express shows any error's message on the login page: only
 * ours get there.
 */
export function authenticator(data: DataSource, limiter: LoginLimiter, logger: Logger) {
  const authenticate = checkLogin(data, limiter);
  return async (email: string, password: string, context?: { req: Request }): Promise<CurrentAdmin | null> => {
    try {
      return await authenticate(email, password, context);
    } catch (error) {
      if ((error as Error)?.message === TOO_MANY_ATTEMPTS) throw error;
      logger.error({ err: error }, 'sign-in failed');
      throw new Error(SIGN_IN_UNAVAILABLE);
    }
  };
}

function checkLogin(data: DataSource, limiter: LoginLimiter) {
  return async (email: string, password: string, context?: { req: Request }): Promise<CurrentAdmin | null> => {
    const address = context?.req.ip ?? 'unknown';
    if (typeof email !== 'string' || typeof password !== 'string') return null;
    if (limiter.blocked(address, email)) throw new Error(TOO_MANY_ATTEMPTS);
    const repo = data.getRepository(User);
    const user = await repo.findOneBy({ email: normalize(email) });
    decoyHash ??= hashPassword('not a password of anyone');
    const valid = await verifyPassword(user?.passwordHash ?? (await decoyHash), password);
    if (!user || !valid || user.disabled) {
      limiter.failed(address, email);
      return null;
    }
    limiter.succeeded(address, email);
    await repo.update({ id: user.id }, { lastLoginAt: new Date() });
    const session = context?.req.session;
    if (session) {
      const { redirectTo } = session;
      await new Promise<void>((resolve, reject) => session.regenerate((error) => (error ? reject(error) : resolve())));
      // regenerate() replaced req.session: the new one goes where the old one would have.
      if (redirectTo) context.req.session.redirectTo = redirectTo;
    }
    return sessionUser(user);
  };
}

/**
 * Reloads the signed-in user on every request: a disabled or deleted user is signed out at once, and a
 * changed role applies at once (the session is not a cache of rights). The user is `req.actor`, as the
 * API's routes know it, for the back-office's own routes (requireRole).
 */
export function currentUser(data: DataSource, loginPath: string): RequestHandler {
  return (req, res, next) => {
    const admin = req.session?.adminUser;
    if (!admin?.id || req.path.startsWith('/frontend/assets/')) return next();
    data
      .getRepository(User)
      .findOneBy({ id: admin.id })
      .then((user) => {
        if (!user || user.disabled) {
          req.session.destroy(() => (req.path.startsWith('/api/') || req.path.startsWith('/mv/') ? res.status(401).json({ error: { code: 'unauthorized', message: 'Signed out' } }) : res.redirect(loginPath)));
          return;
        }
        req.session.adminUser = sessionUser(user);
        req.actor = actorOf(req.session.adminUser);
        next();
      })
      .catch(next);
  };
}
