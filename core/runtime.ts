import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { ActionContext, ProviderHttpRequest } from './action.js';
import { AuditEntry } from './audit/audit.entity.js';
import { AuditRecorder } from './audit/recorder.js';
import { AdminSession } from './auth/admin-session.entity.js';
import { ApiToken } from './auth/api-token.entity.js';
import { User } from './auth/user.entity.js';
import type { Config } from './config.js';
import type { CredentialService } from './credential-service.js';
import { EntityService } from './data/entity-service.js';
import { openDataSource } from './db/data-source.js';
import { pendingMigrations, runMigrations, type MigrationSet } from './db/migrate.js';
import { findRecord } from './db/records.js';
import { isMvError, MvError } from './errors.js';
import { BudgetRegistry } from './http/budget.js';
import { ProviderHttp } from './http/provider-http.js';
import { ActionRunner } from './jobs/action-runner.js';
import { Job } from './jobs/job.entity.js';
import { jobViews } from './jobs/job-access.js';
import { JobQueue } from './jobs/job-queue.js';
import { Worker } from './jobs/worker.js';
import type { Logger } from './logger.js';
import { CORE_MIGRATIONS } from './migrations/index.js';
import type { ModuleHost } from './module.js';
import { describeEntity, Registry, type EntityInfo, type LoadedModule } from './registry.js';
import { SecretBox } from './secrets.js';

/** The host's own tables that the back-office shows: jobs, users, API tokens, the audit log. */
export const CORE_RESOURCES = [Job, User, ApiToken, AuditEntry];

/** Tables of the host itself: the above and the back-office sessions. */
export const CORE_ENTITIES = [...CORE_RESOURCES, AdminSession];

const CORE_INFOS = new Map(CORE_RESOURCES.map((entity) => [entity.name, describeEntity('mv-core', entity)]));

export interface RuntimeOptions {
  config: Config;
  logger: Logger;
  modules: LoadedModule[];
  /** PostgreSQL schema (tests isolate suites this way). */
  schema?: string;
  /** Apply pending migrations at start (the default); otherwise refuse to start with pending ones. */
  migrate?: boolean;
  /** Run a job worker in this process. */
  worker?: boolean;
}

/**
 * The host, assembled: registry, database, secrets, provider HTTP layer, services of the modules, jobs.
 * The server, the CLI and the tests all start one of these.
 */
export class Runtime {
  readonly budgets = new BudgetRegistry();
  readonly queue: JobQueue;
  readonly runner: ActionRunner;
  readonly entities: EntityService;
  readonly audit: AuditRecorder;
  private jobWorker?: Worker;
  private readonly services = new Map<string, unknown>();

  private constructor(
    readonly config: Config,
    readonly logger: Logger,
    readonly registry: Registry,
    readonly data: DataSource,
    readonly secrets: SecretBox,
  ) {
    this.queue = new JobQueue(data);
    this.runner = new ActionRunner(registry, data, this.queue);
    this.entities = new EntityService(registry, data);
    const jobView = jobViews(this);
    this.audit = new AuditRecorder({
      data,
      entities: this.entities,
      queue: this.queue,
      logger,
      describe: (name) => this.entityInfo(name),
      shownParams: (job) => jobView(job).params,
    });
  }

  static async start(options: RuntimeOptions): Promise<Runtime> {
    const registry = Registry.build(options.modules);
    const { config, logger } = options;
    const secrets = SecretBox.load({ masterKey: config.masterKey, dataDir: config.dataDir });
    const data = await openDataSource({
      databaseUrl: config.databaseUrl,
      sqlitePath: path.join(config.dataDir, 'mv.sqlite'),
      schema: options.schema,
      entities: [...CORE_ENTITIES, ...registry.entityClasses()],
      secrets,
    });
    try {
      const sets = migrationSets(registry);
      if (options.migrate === false) {
        const pending = await pendingMigrations(data, sets);
        if (pending.length) throw new MvError('precondition_failed', `The database needs migrations (${pending.join(', ')}): run \`mvctl migrate\``);
      } else {
        const applied = await runMigrations(data, sets);
        if (applied.length) logger.info({ migrations: applied.map((m) => `${m.module}:${m.name}`) }, 'migrations applied');
      }
      const runtime = new Runtime(config, logger, registry, data, secrets);
      await runtime.startServices();
      if (options.worker) runtime.startWorker();
      return runtime;
    } catch (error) {
      await data.destroy();
      throw error;
    }
  }

  /** This process's job worker, once started. */
  get worker(): Worker | undefined {
    return this.jobWorker;
  }

  /** Starts this process's job worker; with `only`, a worker that claims that one job and nothing else. */
  startWorker(only?: string): Worker {
    if (this.jobWorker) throw new MvError('conflict', 'The job worker of this process is already started');
    const { registry, data } = this;
    this.jobWorker = new Worker({
      registry,
      queue: this.queue,
      logger: this.logger,
      concurrency: only ? 1 : this.config.workerConcurrency,
      leaseMs: this.config.jobLeaseMs,
      services: (log, signal) => this.contextServices(log, signal),
      // Only a record that is gone is "no longer exists"; any other error fails the job as it is.
      loadRecord: (entity, id) =>
        findRecord(data, registry.entity(entity), id).catch((error) => {
          if (isMvError(error) && error.code === 'not_found') return undefined;
          throw error;
        }),
      only,
    });
    this.jobWorker.start();
    return this.jobWorker;
  }

  /** A client on the shared HTTP layer; the budget is shared by every client of the same account. */
  http(options: ProviderHttpRequest & { logger?: Logger }): ProviderHttp {
    return new ProviderHttp({
      ...options,
      logger: options.logger ?? this.logger,
      budget: this.budgets.get(options.account, options.budget),
      allowedHosts: [...(options.allowedHosts ?? []), ...this.config.allowedApiHosts],
    });
  }

  service<T>(module: string, name: string): T {
    const service = this.services.get(`${module}:${name}`);
    if (!service) throw new MvError('precondition_failed', `The service ${name} of ${module} is not available: is ${module} installed?`);
    return service as T;
  }

  get credentials(): CredentialService {
    return this.service<CredentialService>('mv-credentials', 'credentials');
  }

  /** A module's entity, or one of the host's own (Job, User, ApiToken, AuditEntry). */
  entityInfo(name: string): EntityInfo | undefined {
    return this.registry.hasEntity(name) ? this.registry.entity(name) : CORE_INFOS.get(name);
  }

  async close(): Promise<void> {
    await this.worker?.stop();
    await this.audit.close();
    if (this.data.isInitialized) await this.data.destroy();
  }

  private host(logger: Logger): ModuleHost {
    return {
      data: this.data,
      secrets: this.secrets,
      logger,
      allowedApiHosts: this.config.allowedApiHosts,
      http: (options) => this.http({ ...options, logger }),
      service: (module, name) => this.service(module, name),
    };
  }

  /** Services first (in dependency order), then each module's setup, which may use them. */
  private async startServices(): Promise<void> {
    for (const module of this.registry.modules) {
      const host = this.host(this.logger.child({ module: module.manifest.code }));
      for (const [name, create] of Object.entries(module.definition.services ?? {})) {
        this.services.set(`${module.manifest.code}:${name}`, create(host));
      }
    }
    for (const module of this.registry.modules) await module.definition.setup?.(this.host(this.logger.child({ module: module.manifest.code })));
  }

  private contextServices(log: Logger, signal: AbortSignal): Pick<ActionContext, 'data' | 'repo' | 'credentials' | 'http' | 'service'> {
    const runtime = this;
    return {
      data: this.data.manager,
      repo: (entity) => this.data.getRepository(typeof entity === 'string' ? this.registry.entity(entity).entity : entity),
      get credentials() {
        return runtime.credentials;
      },
      // Every call of the job stops when the job is cancelled.
      http: (options) => this.http({ signal, ...options, logger: log }),
      service: (module, name) => this.service(module, name),
    };
  }
}

/** The host's own migrations first, then each module's, in dependency order. */
export function migrationSets(registry: Registry): MigrationSet[] {
  return [
    { module: 'mv-core', migrations: CORE_MIGRATIONS },
    ...registry.modules.map((m) => ({ module: m.manifest.code, migrations: m.definition.migrations })),
  ];
}
