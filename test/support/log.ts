import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loggerOptions, type Logger } from '../../core/logger.js';

/** A logger configured like the real one, whose lines are kept for the test to read. */
export function capturedLogger(level = 'debug'): { logger: Logger; lines: () => string[]; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  const logger = pino(loggerOptions(level), stream);
  return { logger, lines: () => chunks.join('').split('\n').filter(Boolean), text: () => chunks.join('') };
}
