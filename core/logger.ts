import fs from 'node:fs/promises';
import path from 'node:path';
import { pino, type DestinationStream, type Logger } from 'pino';
import roll from 'pino-roll';

export type { Logger } from 'pino';

/** Keys whose values never reach a log line, whatever object they sit in. */
export const SECRET_KEYS = [
  'password',
  'passwordSecret',
  'token',
  'refreshToken',
  'apiKey',
  'privateKey',
  'secret',
  'authorization',
  'cookie',
  'x-auth-token',
  'x-ovh-signature',
  'x-ovh-consumer',
  'x-subject-token',
];

const redactPaths = SECRET_KEYS.flatMap((key) => {
  const k = /^[a-zA-Z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
  const dot = k.startsWith('[') ? '' : '.';
  return [k, `*${dot}${k}`, `*.*${dot}${k}`, `*.*.*${dot}${k}`];
});

/** JSON lines with ISO times, secrets redacted wherever they appear (up to four levels deep). */
export function loggerOptions(level: string): pino.LoggerOptions {
  return {
    level,
    base: { pid: process.pid },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

export interface LoggerOptions {
  level: string;
  /** Daily rotated JSON files kept 7 days under `<dataDir>/logs`, when set. */
  dataDir?: string;
  /** Where the console copy goes; the CLI uses stderr so that stdout stays for its output. */
  console?: 'stdout' | 'stderr' | 'none';
}

export interface ClosableLogger {
  logger: Logger;
  close(): Promise<void>;
}

export async function createLogger(options: LoggerOptions): Promise<ClosableLogger> {
  const streams: { stream: DestinationStream; level: pino.Level }[] = [];
  const level = (options.level === 'silent' ? 'fatal' : options.level) as pino.Level;
  if (options.console !== 'none' && options.level !== 'silent') {
    streams.push({ stream: pino.destination(options.console === 'stderr' ? 2 : 1), level });
  }
  let file: Awaited<ReturnType<typeof roll>> | undefined;
  if (options.dataDir) {
    const dir = path.join(options.dataDir, 'logs');
    file = await roll({ file: path.join(dir, 'mv'), extension: '.log', frequency: 'daily', dateFormat: 'yyyy-MM-dd', mkdir: true });
    // pino-roll's own limit counts files and only cleans at a roll of a running process: we go by the
    // date, at start and at every roll (each reopen emits 'ready').
    await pruneLogs(dir);
    (file as unknown as NodeJS.EventEmitter).on('ready', () => void pruneLogs(dir));
    streams.push({ stream: file, level });
  }
  const logger = pino(loggerOptions(options.level), streams.length ? pino.multistream(streams) : pino.destination('/dev/null'));
  return {
    logger,
    close: async () => {
      if (file) await new Promise<void>((resolve) => {
        file!.end();
        (file as unknown as NodeJS.EventEmitter).once('close', () => resolve());
        setTimeout(resolve, 500).unref();
      });
    },
  };
}

/** Days a rotated log file is kept after its own day. */
export const LOG_RETENTION_DAYS = 7;

/**
 * Deletes the rotated files (`mv.<yyyy-MM-dd>.<n>.log`, local dates as pino-roll writes them) dated more than
 * LOG_RETENTION_DAYS days before today. Best effort: a file that cannot be removed is left for next time.
 */
export async function pruneLogs(dir: string): Promise<void> {
  const now = new Date();
  const cutoff = new Date(now.getFullYear(), now.getMonth(), now.getDate() - LOG_RETENTION_DAYS);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names.map(async (name) => {
      const match = /^mv\.(\d{4})-(\d{2})-(\d{2})\.\d+\.log$/.exec(name);
      if (!match) return;
      const day = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
      if (day < cutoff) await fs.rm(path.join(dir, name), { force: true }).catch(() => undefined);
    }),
  );
}

/** A logger that drops everything: for code paths that run before configuration is known. */
export const silentLogger: Logger = pino({ level: 'silent' });
