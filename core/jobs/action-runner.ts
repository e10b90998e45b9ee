import type { DataSource } from 'typeorm';
import { confirmationText } from '../action.js';
import { MvError } from '../errors.js';
import { parseParams } from '../params.js';
import type { Registry } from '../registry.js';
import { roleAllows, type Actor } from '../roles.js';
import { FINAL_STATUSES, type Job } from './job.entity.js';
import type { JobQueue } from './job-queue.js';
import { findRecord } from '../db/records.js';

export interface Invocation {
  entity: string;
  action: string;
  /** The record for instance and bulk actions. */
  recordId?: string;
  /** Several records for a bulk action: one job each. */
  recordIds?: string[];
  params?: Record<string, unknown>;
  actor: Actor;
  dryRun?: boolean;
}

/**
 * The one entry point for running an action, shared by the API, the Meveo route, the CLI and the
 * back-office: checks role, record, applicability and parameters, then queues a job per record.
 */
export class ActionRunner {
  constructor(
    private readonly registry: Registry,
    private readonly data: DataSource,
    private readonly queue: JobQueue,
  ) {}

  async invoke(invocation: Invocation): Promise<Job[]> {
    const entity = this.registry.entity(invocation.entity);
    const { module, definition } = this.registry.action(entity.name, invocation.action);
    const role = definition.role ?? 'operator';
    if (!roleAllows(invocation.actor.role, role)) {
      throw new MvError('forbidden', `${definition.label} needs the ${role} role; ${invocation.actor.name} is ${invocation.actor.role}`);
    }
    const ids = invocation.recordIds ?? (invocation.recordId ? [invocation.recordId] : []);
    if (definition.kind === 'list') {
      if (ids.length) throw new MvError('invalid_request', `${definition.code} is a list action: it takes no record`);
      const params = parseParams(definition.params ?? {}, invocation.params);
      return [await this.queue.enqueue({ module, entity: entity.name, action: definition.code, params, actor: invocation.actor, dryRun: invocation.dryRun })];
    }
    if (!ids.length) throw new MvError('invalid_request', `${definition.code} runs on a record: give its id`);
    if (ids.length > 1 && definition.kind !== 'bulk') throw new MvError('invalid_request', `${definition.code} runs on one record at a time`);
    const records = await Promise.all(ids.map((id) => this.record(entity.name, id)));
    // Check everything before queuing anything, so that a bad selection queues nothing.
    const prepared = records.map((record) => {
      const applicable = definition.applicable?.(record) ?? true;
      if (applicable !== true) {
        throw new MvError('not_applicable', `${definition.label} does not apply to ${entity.label} ${label(record, entity.titleField)}: ${applicable}`);
      }
      return { record, params: parseParams(definition.params ?? {}, invocation.params, record) };
    });
    const jobs: Job[] = [];
    for (const { record, params } of prepared) {
      jobs.push(
        await this.queue.enqueue({ module, entity: entity.name, recordId: record.id, action: definition.code, params, actor: invocation.actor, dryRun: invocation.dryRun }),
      );
    }
    return jobs;
  }

  /** What the user is asked before running the action on this record, if anything. */
  async confirmation(entityName: string, action: string, recordId?: string): Promise<string | undefined> {
    const { definition } = this.registry.action(entityName, action);
    return confirmationText(definition, recordId ? await this.record(entityName, recordId) : undefined);
  }

  /** Waits up to `seconds` for the job to end; returns it as it is then. */
  async wait(jobId: string, seconds: number): Promise<Job> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const job = await this.queue.get(jobId);
      const left = deadline - Date.now();
      if ((FINAL_STATUSES as string[]).includes(job.status) || left <= 0) return job;
      await this.queue.nextChange(jobId, Math.min(left, 500));
    }
  }

  private record(entityName: string, id: string): Promise<{ id: string } & Record<string, unknown>> {
    return findRecord(this.data, this.registry.entity(entityName), id);
  }
}

function label(record: Record<string, unknown>, titleField: string): string {
  return String(record[titleField] ?? record.id);
}
