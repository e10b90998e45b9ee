import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.js';

/** The name pino-roll gives a day's file: local date. */
const fileOf = (daysAgo: number, n = 1) => {
  const d = new Date();
  d.setDate(d.getDate() - daysAgo);
  const day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  return `mv.${day}.${n}.log`;
};

describe('log files', () => {
  let dataDir: string;
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('deletes the rotated files older than 7 days at start, and keeps the recent ones', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-logs-'));
    const logs = path.join(dataDir, 'logs');
    fs.mkdirSync(logs);
    const old = [fileOf(30), fileOf(9), fileOf(8, 2)];
    const recent = [fileOf(6), fileOf(2), fileOf(2, 2), fileOf(1)];
    for (const name of [...old, ...recent, 'notes.txt']) fs.writeFileSync(path.join(logs, name), '{}\n');

    const log = await createLogger({ level: 'info', dataDir, console: 'none' });
    log.logger.info('started');
    await log.close();

    const left = fs.readdirSync(logs);
    for (const name of old) expect(left).not.toContain(name);
    expect(left).toEqual(expect.arrayContaining([...recent, 'notes.txt']));
    // Today's file (pino-roll numbers it after the highest number it found).
    const today = left.find((name) => name.startsWith(fileOf(0).slice(0, 'mv.yyyy-MM-dd.'.length)))!;
    expect(fs.readFileSync(path.join(logs, today), 'utf8')).toContain('"msg":"started"');
  });
});
