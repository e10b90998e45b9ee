/**
 * `npm run bench:sync` (after `npm run build`): syncs 10,000 Scaleway servers, each with a Block root
 * volume, a second Block volume and a public IP, from the emulator answering every request 70 ms late,
 * through the real `syncServers` action run as a job by a worker, on a fresh SQLite data dir; then syncs
 * again (every server known: the update path); then lists the same servers with our client alone and
 * with the official SDK's paginate helper.
 *
 * Options: --servers <n> (10000), --latency <ms> (70), --rps, --burst, --concurrency (the account's
 * request budget), --sql (where the statement time goes).
 * The last line reads `sync: <n> servers in <s> s, bound <b> s, ratio <r>, sdk ratio <q>`.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import type { EntitySubscriberInterface } from 'typeorm';
import { createAdvancedClient, withDefaultPageSize, withProfile } from '@scaleway/sdk-client';
import { Instancev1 } from '@scaleway/sdk-instance';
import { loadConfig } from '../core/config.js';
import type { BudgetSettings } from '../core/http/budget.js';
import { bundledLocations, loadModule } from '../core/modules/loader.js';
import { HOST_BUILD } from '../core/paths.js';
import type { Actor } from '../core/roles.js';
import { Runtime } from '../core/runtime.js';
import { ScalewayApi } from '../providers/scaleway/client.js';

const { values: args } = parseArgs({
  options: {
    servers: { type: 'string', default: '10000' },
    latency: { type: 'string', default: '70' },
    // Scaleway publishes no limit; support quoted about 100 requests a second per account. An account
    // with 10,000 servers runs at 80 % of that, with one second of burst and 16 requests in flight
    // (Terraform runs 10 at once by default); the rate limit, not the in-flight count, sets the bound.
    rps: { type: 'string', default: '80' },
    burst: { type: 'string', default: '80' },
    concurrency: { type: 'string', default: '16' },
    sql: { type: 'boolean', default: false },
  },
});
const SERVERS = Number(args.servers);
const LATENCY_MS = Number(args.latency);
const BUDGET: BudgetSettings = { requestsPerSecond: Number(args.rps), burst: Number(args.burst), concurrency: Number(args.concurrency) };
const ZONE = 'fr-par-1';
const ACTOR: Actor = { kind: 'system', id: 'bench', name: 'bench', role: 'admin' };
/** The SDK checks the shape of its keys; the emulator takes any. */
const SECRET_KEY = '6f1e0d9a-3b7c-4e2f-8a1d-5c9b0e7f2a34';

const seconds = (ms: number) => (ms / 1000).toFixed(2);
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const say = (line: string) => process.stdout.write(`${line}\n`);

interface Emulator {
  url: string;
  /** CPU time the emulator's process used so far, ms (Linux: /proc). */
  cpuMs(): number | undefined;
  stop(): void;
}

/** `mvctl sandbox --only scaleway` in its own process, so that its work and memory are not counted as ours. */
async function startEmulator(): Promise<Emulator> {
  const child = spawn(process.execPath, [path.join(HOST_BUILD, 'core/cli/mvctl.js'), 'sandbox', '--only', 'scaleway'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /^scaleway (\S+)$/m.exec(out);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`mvctl sandbox exited with ${code}: ${out}`)));
  });
  const ticks = 100; // USER_HZ
  const cpuMs = () => {
    try {
      const fields = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return ((Number(fields[11]) + Number(fields[12])) / ticks) * 1000;
    } catch {
      return undefined;
    }
  };
  return { url, cpuMs, stop: () => child.kill('SIGTERM') };
}

async function control(url: string, route: string, body: unknown): Promise<any> {
  const response = await fetch(`${url}/__sandbox/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`POST /__sandbox/${route}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** Counts the provider calls our HTTP layer answers (its debug line per call), by operation. */
function countingLogger() {
  const calls = new Map<string, number>();
  let lastCallAt = 0;
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string) {
        if (!line.includes('"provider call"')) return;
        const { call, status } = JSON.parse(line) as { call: string; status?: number };
        if (status !== undefined && status < 400) calls.set(call, (calls.get(call) ?? 0) + 1);
        lastCallAt = performance.now();
      },
    },
  );
  return { logger, calls, lastCallAt: () => lastCallAt };
}

interface WriteTotals {
  transactionMs: number;
  transactions: number;
  statementMs: number;
  statements: number;
  byKind: Map<string, { ms: number; count: number }>;
}

/**
 * Database write time: the time spent in transactions (the sync writes in batches of a few thousand
 * records per zone, then one to let go of what is gone: mapping and statements), and within them the time
 * of the statements themselves, from TypeORM's query events.
 */
function writeTimer(runtime: Runtime): { totals: WriteTotals; reset(): void } {
  const fresh = (): WriteTotals => ({ transactionMs: 0, transactions: 0, statementMs: 0, statements: 0, byKind: new Map() });
  const timer = { totals: fresh(), reset: () => (timer.totals = fresh()) };
  let open = 0;
  let queryStart = 0;
  const manager = runtime.data.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  manager.transaction = (async (...args: unknown[]) => {
    const started = performance.now();
    open++;
    try {
      return await transaction(...args);
    } finally {
      open--;
      timer.totals.transactionMs += performance.now() - started;
      timer.totals.transactions++;
    }
  }) as typeof manager.transaction;
  const subscriber: EntitySubscriberInterface = {
    beforeQuery: () => {
      queryStart = performance.now();
    },
    afterQuery: (event) => {
      if (!open) return;
      const ms = performance.now() - queryStart;
      const { totals } = timer;
      totals.statementMs += ms;
      totals.statements++;
      const kind = /^\s*(INSERT INTO|UPDATE|DELETE FROM|SELECT\b.*?\bFROM)\s+("?\w+"?)/is.exec(event.query)?.slice(1, 3).join(' ').replace(/^SELECT.*FROM/is, 'SELECT FROM') ?? event.query.slice(0, 30);
      const entry = totals.byKind.get(kind) ?? { ms: 0, count: 0 };
      entry.ms += ms;
      entry.count++;
      totals.byKind.set(kind, entry);
    },
  };
  runtime.data.subscribers.push(subscriber);
  return timer;
}

async function main(): Promise<void> {
  const emulator = await startEmulator();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mv-bench-'));
  const counting = countingLogger();
  let runtime: Runtime | undefined;
  try {
    say(`machine: ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}; node ${process.version}`);
    const seedStarted = performance.now();
    const seeded = await control(emulator.url, 'seed', { zone: ZONE, servers: SERVERS, namePrefix: 'bench', volumesPerServer: 1, withIp: true, state: 'running' });
    say(`emulator ${emulator.url}: seeded ${seeded.servers} servers, ${seeded.volumes} volumes, ${seeded.ips} IPs in ${seconds(performance.now() - seedStarted)} s; latency ${LATENCY_MS} ms per request`);
    await control(emulator.url, 'faults', { latencyMs: LATENCY_MS });

    runtime = await Runtime.start({
      config: { ...loadConfig({ MV_DATA_DIR: dataDir, LOG_LEVEL: 'debug' }), workerConcurrency: 1 },
      logger: counting.logger,
      modules: await Promise.all(bundledLocations().map(loadModule)),
      worker: true,
    });
    const credential = await runtime.entities.create(
      runtime.entityInfo('Credential')!,
      { domainName: new URL(emulator.url).host, authenticationType: 'API_KEY', headerKey: 'X-Auth-Token', apiKey: SECRET_KEY },
      ACTOR,
    );
    const provider = await runtime.entities.create(
      runtime.entityInfo('ServiceProvider')!,
      {
        name: 'Scaleway bench',
        code: 'SCALEWAY',
        apiBaseUrl: emulator.url,
        allowedApiHosts: ['127.0.0.1'],
        credentialId: credential.id,
        zones: [ZONE],
        importNamePrefix: '',
        requestsPerSecond: BUDGET.requestsPerSecond,
        requestBurst: BUDGET.burst,
        maxConcurrentRequests: BUDGET.concurrency,
      },
      ACTOR,
    );
    say(`budget: ${BUDGET.requestsPerSecond} requests/s, burst ${BUDGET.burst}, ${BUDGET.concurrency} in flight`);
    const writes = writeTimer(runtime);

    const sync = async () => {
      counting.calls.clear();
      writes.reset();
      const emulatorCpu = emulator.cpuMs();
      const cpu = process.cpuUsage();
      const started = performance.now();
      const [queued] = await runtime!.runner.invoke({ entity: 'ScalewayServer', action: 'syncServers', params: { serviceProviderId: provider.id }, actor: ACTOR });
      const job = await runtime!.runner.wait(queued.id, 600);
      const wallMs = performance.now() - started;
      if (job.status !== 'succeeded') throw new Error(`syncServers ${job.status}: ${job.error ?? job.message}`);
      const used = process.cpuUsage(cpu);
      const emulatorMs = emulator.cpuMs();
      return {
        job,
        wallMs,
        listingMs: counting.lastCallAt() - started,
        cpuMs: (used.user + used.system) / 1000,
        emulatorCpuMs: emulatorCpu === undefined || emulatorMs === undefined ? undefined : emulatorMs - emulatorCpu,
        calls: new Map(counting.calls),
        writes: writes.totals,
      };
    };
    const describe = (run: Awaited<ReturnType<typeof sync>>) => {
      say(`  wall time ${seconds(run.wallMs)} s: listing until the last answer ${seconds(run.listingMs)} s, then recording ${seconds(run.wallMs - run.listingMs)} s`);
      const emulatorCpu = run.emulatorCpuMs === undefined ? '' : `; the emulator (one thread) ${seconds(run.emulatorCpuMs)} s`;
      say(`  CPU: this process ${seconds(run.cpuMs)} s${emulatorCpu}`);
      const w = run.writes;
      say(`  database writes: ${seconds(w.transactionMs)} s in ${w.transactions} transaction(s), of which ${seconds(w.statementMs)} s in ${w.statements} SQLite statements (target ≤ 2 s)`);
      if (args.sql) for (const [kind, { ms, count }] of [...w.byKind].sort((a, b) => b[1].ms - a[1].ms)) say(`    ${seconds(ms)} s  ${count} × ${kind}`);
    };

    const rssBefore = process.memoryUsage().rss;
    const first = await sync();
    const peakRss = process.resourceUsage().maxRSS * 1024;
    const synced = (first.job.value as { listed: number }).listed;
    const serverPages = first.calls.get('listServers') ?? 0;
    const volumePages = first.calls.get('listBlockVolumes') ?? 0;
    const others = [...first.calls].filter(([call]) => call !== 'listServers' && call !== 'listBlockVolumes');
    const pages = serverPages + volumePages;
    const concurrencyBoundMs = (pages * LATENCY_MS) / BUDGET.concurrency;
    const rateBoundMs = (Math.max(0, pages - BUDGET.burst) / BUDGET.requestsPerSecond) * 1000;
    const boundMs = Math.max(concurrencyBoundMs, rateBoundMs);
    const ratio = first.wallMs / boundMs;
    say(`first sync: ${first.job.message}`);
    say(`  requests: ${serverPages} server list pages + ${volumePages} block volume list pages = ${pages}${others.length ? `; others: ${others.map(([c, n]) => `${c} ${n}`).join(', ')}` : ''}`);
    describe(first);
    say(
      `  lower bound ${seconds(boundMs)} s = max(${pages} pages × ${LATENCY_MS} ms ÷ ${BUDGET.concurrency} in flight = ${seconds(concurrencyBoundMs)} s, ` +
        `(${pages} − burst ${BUDGET.burst}) ÷ ${BUDGET.requestsPerSecond}/s = ${seconds(rateBoundMs)} s); ratio ${ratio.toFixed(2)} (target ≤ 1.5)`,
    );
    say(`  peak RSS ${mb(peakRss)} (${mb(rssBefore)} before the sync; target < 300 MB)`);

    const again = await sync();
    say(`second sync, every server known: ${again.job.message}`);
    describe(again);

    // The same listing alone: our client within the same budget, then the official SDK's paginate helper.
    const ours = new ScalewayApi(
      runtime.http({
        provider: 'Scaleway',
        baseURL: emulator.url,
        account: 'bench:listing',
        budget: BUDGET,
        sign: await runtime.credentials.signer(credential.id),
        allowedHosts: ['127.0.0.1'],
      }),
    );
    let listStarted = performance.now();
    const ourList = await ours.servers.list(ZONE);
    const ourListMs = performance.now() - listStarted;
    const profile = { apiURL: emulator.url, accessKey: 'SCWBENCH000000000000', secretKey: SECRET_KEY, defaultZone: ZONE };
    const sdk = new Instancev1.API(createAdvancedClient(withProfile(profile), withDefaultPageSize(100)));
    listStarted = performance.now();
    const sdkList = await sdk.listServers({ zone: ZONE }).all();
    const sdkListMs = performance.now() - listStarted;
    const sdkRatio = sdkListMs / ourListMs;
    say(`listing the ${ourList.length} servers alone: ours ${seconds(ourListMs)} s within the budget, the official SDK ${seconds(sdkListMs)} s for ${sdkList.length} (its .all() sends every page at once, with no budget)`);

    say(`sync: ${synced} servers in ${seconds(first.wallMs)} s, bound ${seconds(boundMs)} s, ratio ${ratio.toFixed(2)}, sdk ratio ${sdkRatio.toFixed(2)}`);
  } finally {
    await runtime?.close();
    emulator.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
