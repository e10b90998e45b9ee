import type { DataSource } from 'typeorm';
import { MvError } from '../errors.js';
import { parseParams } from '../params.js';
import type { Registry } from '../registry.js';
import { assertRole, type Actor } from '../roles.js';
import { isFinal, type Job } from './job.entity.js';
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
    assertRole(invocation.actor, definition.role ?? 'operator', definition.label);
    // The same record twice in a selection is one job.
    const ids = [...new Set(invocation.recordIds ?? (invocation.recordId ? [invocation.recordId] : []))];
    const job = { module, entity: entity.name, action: definition.code, actor: invocation.actor, dryRun: invocation.dryRun };
    if (definition.kind === 'list') {
      if (ids.length) throw new MvError('invalid_request', `${definition.code} is a list action: it takes no record`);
      const params = parseParams(definition.params ?? {}, invocation.params);
      return [await this.queue.enqueue({ ...job, params, lockKey: definition.lockKey?.(params as never) })];
    }
    if (!ids.length) throw new MvError('invalid_request', `${definition.code} runs on a record: give its id`);
    if (ids.length > 1 && definition.kind !== 'bulk') throw new MvError('invalid_request', `${definition.code} runs on one record at a time`);
    const records = await Promise.all(ids.map((id) => findRecord(this.data, entity, id)));
    // Everything is checked first, and the jobs are queued all or none: a bad selection queues nothing.
    const jobs = records.map((record) => {
      const applicable = definition.applicable?.(record) ?? true;
      if (applicable !== true) {
        throw new MvError('not_applicable', `${definition.label} does not apply to ${entity.label} ${label(record, entity.titleField)}: ${applicable}`);
      }
      return { ...job, recordId: record.id, params: parseParams(definition.params ?? {}, invocation.params, record) };
    });
    return this.queue.enqueueMany(jobs);
  }

  /** Waits up to `seconds` for the job to end; returns it as it is then. */
  async wait(jobId: string, seconds: number): Promise<Job> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const job = await this.queue.get(jobId);
      const left = deadline - Date.now();
      if (isFinal(job.status) || left <= 0) return job;
      await this.queue.nextChange(jobId, Math.min(left, 500));
    }
  }
}

function label(record: Record<string, unknown>, titleField: string): string {
  return String(record[titleField] ?? record.id);
}
