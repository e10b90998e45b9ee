import type { DataSource, MigrationInterface } from 'typeorm';
import type { ActionDefinition, EntityClass, ProviderHttpRequest } from './action.js';
import type { ProviderHttp } from './http/provider-http.js';
import type { Logger } from './logger.js';
import type { SecretBox } from './secrets.js';

export type MigrationClass = new () => MigrationInterface;

/** What a module's services and setup may use of the host. */
export interface ModuleHost {
  data: DataSource;
  secrets: SecretBox;
  logger: Logger;
  /** Hosts any credential may be sent to (MV_ALLOWED_API_HOSTS). */
  allowedApiHosts: string[];
  http(options: ProviderHttpRequest): ProviderHttp;
  /** A service of this module or of one it depends on. */
  service<T>(module: string, name: string): T;
}

/**
 * A module's entry point, next to its module.json: `export default defineModule({...})`. Nothing
 * registers itself on import; the registry reads this object, and so do the API, CLI and back-office.
 */
export interface ModuleDefinition {
  entities: EntityClass[];
  actions: ActionDefinition<any, any>[];
  /** Per dialect, oldest first. Class names must end in a 13-digit timestamp, TypeORM style. */
  migrations: { sqlite: MigrationClass[]; postgres: MigrationClass[] };
  /** Named services other modules may use, built once the database is ready. */
  services?: Record<string, (host: ModuleHost) => unknown>;
  /** Runs once the services of this module and its dependencies exist (e.g. to register with them). */
  setup?(host: ModuleHost): void | Promise<void>;
}

export function defineModule(definition: ModuleDefinition): ModuleDefinition {
  return definition;
}
