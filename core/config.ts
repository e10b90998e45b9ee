import net from 'node:net';
import path from 'node:path';
import { MvError } from './errors.js';

/**
 * The host's settings from its environment, checked once at start. A few variables are read where they
 * apply instead: MV_POLL_INTERVAL_MS (wait.ts: waits called by modules outside any context) and
 * MV_RETRY_BASE_MS (http/retry.ts), NODE_ENV and ADMIN_JS_TMP_DIR (the back-office). The README's
 * configuration table lists them all.
 */
export interface Config {
  /** SQLite file, master key file, logs and installed modules live here. */
  dataDir: string;
  port: number;
  /** PostgreSQL when set (postgres://...), the embedded SQLite file otherwise. */
  databaseUrl?: string;
  /** 32 bytes, base64 or hex; otherwise a key file is generated in the data dir. */
  masterKey?: string;
  logLevel: string;
  adminEmail?: string;
  adminPassword?: string;
  /** `none`: start with no module at all; modules then come only from `module install`. */
  bundledModules: 'all' | 'none';
  /** How long a worker owns a running job without renewing its lease. */
  jobLeaseMs: number;
  workerConcurrency: number;
  /** Hosts any credential may be sent to, on top of each ServiceProvider's own allow-list. */
  allowedApiHosts: string[];
  /**
   * Express's `trust proxy`: the proxies whose X-Forwarded-For, -Proto and -Host are believed (addresses
   * and CIDRs, comma-separated), a hop count, or false. The sandbox trusts none, whatever this says.
   */
  trustProxy: string | number | false;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const int = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      problems.push(`${name} must be an integer ≥ ${min}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const bundled = env.MV_BUNDLED_MODULES || 'all';
  if (bundled !== 'all' && bundled !== 'none') problems.push(`MV_BUNDLED_MODULES must be "all" or "none", got "${bundled}"`);
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// URL (unset it to use the embedded SQLite file)');
  }
  const config: Config = {
    dataDir: path.resolve(env.MV_DATA_DIR || './data'),
    port: int('PORT', 3000, 0),
    databaseUrl,
    masterKey: env.MV_MASTER_KEY || undefined,
    logLevel,
    adminEmail: env.ADMIN_EMAIL || undefined,
    adminPassword: env.ADMIN_PASSWORD || undefined,
    bundledModules: bundled as Config['bundledModules'],
    jobLeaseMs: int('MV_JOB_LEASE_SECONDS', 30, 1) * 1000,
    workerConcurrency: int('MV_WORKER_CONCURRENCY', 4, 0),
    allowedApiHosts: (env.MV_ALLOWED_API_HOSTS || '')
      .split(',')
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
    trustProxy: trustProxy(env.MV_TRUST_PROXY, problems),
  };
  if (problems.length) throw new MvError('invalid_request', `Invalid configuration: ${problems.join('; ')}`);
  return config;
}

/** Names express knows for address ranges, beside addresses and CIDRs. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * MV_TRUST_PROXY: unset, loopback (a proxy on this machine); `false`; a hop count; or addresses, CIDRs
 * and range names, comma-separated. `true` (trust anyone) is refused: any client could then choose the
 * address the sign-in limiter counts and the host the same-origin check compares.
 */
function trustProxy(raw: string | undefined, problems: string[]): Config['trustProxy'] {
  const value = raw?.trim();
  if (!value) return 'loopback';
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  const items = value.split(',').map((item) => item.trim()).filter(Boolean);
  const bad = items.filter((item) => !PROXY_RANGES.includes(item) && !isAddressOrCidr(item));
  if (bad.length || !items.length) {
    problems.push(`MV_TRUST_PROXY takes a hop count, false, or addresses and CIDRs (or ${PROXY_RANGES.join(', ')}), comma-separated; got "${bad.join(', ') || value}"`);
  }
  return items.join(',');
}

function isAddressOrCidr(item: string): boolean {
  const [address, bits, ...rest] = item.split('/');
  const version = net.isIP(address);
  if (!version || rest.length) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128));
}
