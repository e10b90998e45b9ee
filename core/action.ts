import type { EntityManager, ObjectLiteral, Repository } from 'typeorm';
import type { CredentialService } from './credential-service.js';
import type { BudgetSettings } from './http/budget.js';
import type { ProviderHttp, ProviderHttpOptions } from './http/provider-http.js';
import type { Logger } from './logger.js';
import type { ParamSpecs, ParamValues } from './params.js';
import type { Actor, Role } from './roles.js';

/**
 * An action, declared once: the API, the CLI, the OpenAPI document and the back-office button all come
 * from this declaration, and every invocation runs as a persisted job through the same runner.
 *
 * - `instance`: on one record (a button on the record).
 * - `list`: on the entity as a whole (a button on the list: sync, import).
 * - `bulk`: on one record, also offered on a selection of records (one job per record).
 */
export type ActionKind = 'instance' | 'list' | 'bulk';

export interface ActionResult {
  /** Shown to the user when the job succeeds (Meveo's GUI message). */
  message: string;
  /** Anything a script calling the API may want (Meveo's RESULT_VALUE). */
  value?: unknown;
}

export type EntityClass<R = any> = (new () => R) & Function;

export interface ProviderHttpRequest extends Omit<ProviderHttpOptions, 'budget' | 'logger'> {
  /** Key of the request budget: one per provider account. */
  account: string;
  budget: BudgetSettings;
}

export interface ActionContext<R = any, P = Record<string, unknown>> {
  /** The record, read from the database when the job starts (undefined for list actions). */
  record: R;
  params: P;
  job: { id: string; attempt: number; resumed: boolean; dryRun: boolean };
  actor: Actor;
  log: Logger;
  /** Reports progress: a percentage and what is happening now. Persisted and streamed to watchers. */
  progress(percent: number, message: string): Promise<void>;
  /**
   * Aborted when the job is cancelled, runs past its time limit, loses its lease or its process shuts down
   * (the job is then resumed elsewhere); pass it to waits and calls.
   */
  signal: AbortSignal;
  /** Data access: the entity manager and repositories by entity name. */
  data: EntityManager;
  repo<T extends ObjectLiteral = any>(entity: string | EntityClass<T>): Repository<T>;
  /** Credential lookup, refresh and request signing (from mv-credentials). */
  credentials: CredentialService;
  /** A client on the shared provider HTTP layer. */
  http(options: ProviderHttpRequest): ProviderHttp;
  /** A service offered by an installed module (e.g. `mv-credentials`, `credentials`). */
  service<T>(module: string, name: string): T;
}

export interface ActionDefinition<R = any, P extends ParamSpecs = ParamSpecs> {
  code: string;
  label: string;
  /** The entity class (which types the record), or its name for another module's entity. */
  entity: EntityClass<R> | string;
  kind: ActionKind;
  description?: string;
  /**
   * Whether the action applies to this record (Meveo's applicableOnEl). Return true, or a short reason
   * why not ("the server is running"). Checked when the action is offered, requested and started.
   */
  applicable?: (record: R) => true | string;
  /** Asked before running a destructive or billable action; may name the record. */
  confirm?: string | ((record: R) => string);
  /** Minimum role; defaults to operator. */
  role?: Role;
  params?: P;
  /** Per-action time limit for the whole job. */
  timeoutMs?: number;
  /**
   * List actions: what a job locks, from its parameters, instead of the whole entity. Jobs of the entity's
   * list actions with the same key never run at the same time, and an action cannot be queued twice with
   * the same key; with different keys they run side by side. E.g. `lockKey: (p) => p.serviceProviderId`
   * lets a sync of one provider run while another provider syncs. Default: one key for the whole entity.
   */
  lockKey?: (params: ParamValues<P>) => string;
  handler(ctx: ActionContext<R, ParamValues<P>>): Promise<ActionResult>;
}

/** Declares an action; the generic parameters type the record and the parameters in the handler. */
export function defineAction<R = any, const P extends ParamSpecs = {}>(definition: ActionDefinition<R, P>): ActionDefinition<R, P> {
  return definition;
}

export function entityName(entity: EntityClass | string): string {
  return typeof entity === 'string' ? entity : entity.name;
}

export function confirmationText<R>(action: ActionDefinition<R, any>, record: R): string | undefined {
  return typeof action.confirm === 'function' ? action.confirm(record) : action.confirm;
}
