import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScalewayEmulator, type ScalewayEmulator } from '../../sandbox/scaleway/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Replays recorded production traffic (test/fixtures/scaleway) against the emulator and scores
 * how closely it answers (test/conformance/README.md).
 */
describe('Scaleway emulator conformance', () => {
  let scw: ScalewayEmulator;

  // The replay sends requests back to back: the seconds production spent between a poweron and
  // the next action shrink to a millisecond, so transitions must end within a request or two.
  beforeAll(async () => {
    scw = await startScalewayEmulator({ transitionMs: 2 });
  });
  afterAll(() => scw.close());

  it('answers recorded traffic with the recorded statuses and shapes', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['test/conformance/run.mjs', '--url', scw.url, '--reset', 'test/fixtures/scaleway'], {
      cwd: root,
      timeout: 110_000,
    });
    const last = stdout.trim().split('\n').at(-1) ?? '';
    const match = /^conformance: status ([\d.]+)% shape ([\d.]+)% over (\d+) interactions/.exec(last);
    expect(match, stdout).not.toBeNull();
    const [, status, shape, interactions] = match!.map(Number);
    expect(interactions).toBeGreaterThan(900);
    expect(status, stdout).toBeGreaterThanOrEqual(95);
    expect(shape, stdout).toBeGreaterThanOrEqual(90);
  }, 120_000);
});
