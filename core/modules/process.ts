import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import type { Config } from '../config.js';
import { ERROR_STATUS, MvError, type ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { HOST_BUILD, HOST_ROOT } from '../paths.js';
import type { Registry } from '../registry.js';
import type { Runtime } from '../runtime.js';
import { checkRef } from './git.js';
import { ModuleService, parseInstallRequest, type InstalledModules, type ModuleOperationResult, type ModuleServiceOptions } from './service.js';

const run = promisify(execFile);
const MVCTL = path.join(HOST_BUILD, 'core', 'cli', 'mvctl.js');
/** Clones time out after 5 minutes each; a whole operation gets more. */
const TIMEOUT_MS = 30 * 60_000;

/** The module operations of a running server: its configuration, logger and database schema. */
export function moduleCommandsOf(runtime: Pick<Runtime, 'config' | 'logger' | 'data'>): ModuleCommands {
  return new ModuleCommands({ config: runtime.config, logger: runtime.logger, schema: (runtime.data.options as { schema?: string }).schema });
}

/**
 * Install, upgrade and uninstall for the API and the back-office: each runs `mvctl module ... --json` in a
 * child process, on the server's data dir and database, and answers what it printed (its error JSON
 * becomes the same MvError). Cloning, copying and compiling take seconds of a process's event loop (the
 * server must go on answering and renewing its jobs' leases), and the code a module runs at install (its
 * entry point, its hooks) must not stay loaded in the server.
 */
export class ModuleCommands {
  private readonly service: ModuleService;

  constructor(private readonly options: ModuleServiceOptions) {
    this.service = new ModuleService(options);
  }

  /** Reading runs no module code and takes no time: in this process. */
  installed(running: Registry): InstalledModules {
    return this.service.installed(running);
  }

  install(body: unknown, actor: string): Promise<ModuleOperationResult> {
    // A bad request is refused here, without a process.
    const request = parseInstallRequest(body);
    const dependencies = Object.entries(request.dependencyUrls ?? {}).map(([code, url]) => `--dependency-url=${code}=${url}`);
    return this.command('install', request.url, actor, [`--on-conflict=${request.onConflict ?? 'fail'}`, ...option('ref', request.ref), ...option('path', request.path), ...dependencies]);
  }

  upgrade(code: string, request: { ref?: unknown }, actor: string): Promise<ModuleOperationResult> {
    return this.command('upgrade', code, actor, option('ref', checkRef(request.ref)));
  }

  uninstall(code: string, request: { purge: boolean }, actor: string): Promise<ModuleOperationResult> {
    return this.command('uninstall', code, actor, request.purge ? ['--purge'] : []);
  }

  private async command(name: string, target: string, actor: string, options: string[]): Promise<ModuleOperationResult> {
    const { config, logger, schema } = this.options;
    // `--opt=value` and `--` before the target: nothing a user sends can be read as another option.
    const args = [MVCTL, 'module', name, ...options, '--json', `--actor=${actor}`, '--', target];
    let stdout: string;
    let stderr: string;
    let exit: string | number = 0;
    try {
      ({ stdout, stderr } = await run(process.execPath, args, { env: childEnv(config, schema), cwd: HOST_ROOT, timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }));
    } catch (error) {
      const failed = error as { code?: number | string; signal?: string; stdout?: string; stderr?: string };
      if (typeof failed.stdout !== 'string') throw error;
      ({ stdout, stderr = '' } = failed);
      exit = failed.signal ?? failed.code ?? 'unknown';
    }
    relayLogs(stderr, logger);
    const answer = parseJson(stdout) as (ModuleOperationResult & { error?: { code: string; message: string; details?: unknown } }) | undefined;
    if (answer?.error) {
      const code = (answer.error.code in ERROR_STATUS ? answer.error.code : 'internal') as ErrorCode;
      throw new MvError(code, answer.error.message, answer.error.details);
    }
    if (exit === 0 && answer?.changes) return answer;
    throw new MvError('internal', `mvctl module ${name} ended (${exit}) without an answer; the server log has its output`);
  }
}

function option(name: string, value: string | undefined): string[] {
  return value === undefined ? [] : [`--${name}=${value}`];
}

/** The child's configuration is the server's own, whatever the server's environment says. */
function childEnv(config: Config, schema: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, MV_DATA_DIR: config.dataDir, MV_BUNDLED_MODULES: config.bundledModules, LOG_LEVEL: config.logLevel };
  delete env.DATABASE_URL;
  delete env.MV_MASTER_KEY;
  // A schema of the server's own (tests) reaches the child through the URL: node-postgres passes `options` on.
  if (config.databaseUrl) {
    env.DATABASE_URL = schema ? `${config.databaseUrl}${config.databaseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}` : config.databaseUrl;
  }
  if (config.masterKey) env.MV_MASTER_KEY = config.masterKey;
  return env;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The child's log lines (JSON, already redacted) go to the server's log, at their level. */
function relayLogs(stderr: string, logger: Logger): void {
  for (const line of stderr.split('\n').filter((each) => each.trim())) {
    const entry = parseJson(line) as ({ level?: number; msg?: string } & Record<string, unknown>) | undefined;
    if (!entry || typeof entry.level !== 'number') {
      logger.warn({ output: line }, 'module command output');
      continue;
    }
    const { level, msg, time: _time, hostname: _hostname, pid, ...fields } = entry;
    const label = (pino.levels.labels[level] ?? 'info') as pino.Level;
    logger[label]({ ...fields, childPid: pid }, msg ?? '');
  }
}
