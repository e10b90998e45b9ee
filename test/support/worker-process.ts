/**
 * A separate process running a job worker, until it is killed: the restart tests kill it in the middle of
 * a job. Usage: node dist/test/support/worker-process.js <dataDir> [schema] [widgets|bundled]
 */
import 'reflect-metadata';
import { loadConfig } from '../../core/config.js';
import { silentLogger } from '../../core/logger.js';
import { Runtime } from '../../core/runtime.js';
import { bundledModules } from './runtime.js';
import { modulesWithWidgets } from './widgets.js';

const [dataDir, schema, modules = 'widgets'] = process.argv.slice(2);
const config = {
  ...loadConfig({ MV_DATA_DIR: dataDir, LOG_LEVEL: 'silent', MV_JOB_LEASE_SECONDS: '1' }),
  databaseUrl: schema ? process.env.DATABASE_URL : undefined,
};
await Runtime.start({ config, logger: silentLogger, modules: modules === 'bundled' ? await bundledModules() : await modulesWithWidgets(), schema: schema || undefined, worker: true });
process.send?.('ready');
