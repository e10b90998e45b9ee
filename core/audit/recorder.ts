import type { EventEmitter } from 'node:events';
import type { DataSource } from 'typeorm';
import type { Change, EntityService } from '../data/entity-service.js';
import { FINAL_STATUSES, type Job } from '../jobs/job.entity.js';
import type { JobQueue } from '../jobs/job-queue.js';
import { SECRET_KEYS, type Logger } from '../logger.js';
import type { EntityInfo } from '../registry.js';
import { AuditEntry, type AuditChange, type AuditOperation } from './audit.entity.js';

export interface AuditRecorderOptions {
  data: DataSource;
  entities: EntityService;
  queue: JobQueue;
  logger: Logger;
  /** The entity of that name (a module's or the host's own), if known. */
  describe(name: string): EntityInfo | undefined;
  /** A job's parameters as they may be shown (those its action declares sensitive hidden). */
  shownParams(job: Job): Record<string, unknown>;
}

/** Bookkeeping fields: they change on every write and tell nothing. */
const IGNORED = new Set(['id', 'createdAt', 'updatedAt', 'secretsSet']);
const SECRET_KEY_SET = new Set(SECRET_KEYS.map((k) => k.toLowerCase()));
const REDACTED = '[redacted]';

type Entry = Pick<
  AuditEntry,
  'operation' | 'actor' | 'actorId' | 'actorRole' | 'entity' | 'recordId' | 'summary' | 'action' | 'jobId' | 'outcome' | 'message' | 'changes'
>;

/**
 * Writes the audit log: listens to every change made through the entity service (API, CLI, back-office)
 * and to every job queued and ended in this process. Secrets never reach it: changes carry only which
 * secrets are set or were changed, and action parameters are redacted by name and when declared sensitive.
 */
export class AuditRecorder {
  private readonly pending = new Set<Promise<void>>();
  private readonly detach: (() => void)[] = [];

  constructor(private readonly options: AuditRecorderOptions) {
    this.listen(options.entities.changes, 'change', (change: Change, at) => this.changed(change, at));
    this.listen(options.queue.events, 'created', (job: Job, at) => this.jobRequested(job, at));
    this.listen(options.queue.events, 'ended', async (id: string, at) => this.jobEnded(await options.queue.get(id), at));
  }

  /** Stops listening and waits for the entries being written. */
  async close(): Promise<void> {
    for (const off of this.detach.splice(0)) off();
    await this.flush();
  }

  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  /** Entries are dated when the event happens, not when they are written (the writes are not ordered). */
  private listen<T>(emitter: EventEmitter, event: string, write: (arg: T, at: Date) => Promise<void>): void {
    const listener = (arg: T) => {
      const pending: Promise<void> = write(arg, new Date())
        .catch((error) => this.options.logger.error({ err: error, event }, 'could not write to the audit log'))
        .finally(() => this.pending.delete(pending));
      this.pending.add(pending);
    };
    emitter.on(event, listener);
    this.detach.push(() => emitter.off(event, listener));
  }

  private async changed(change: Change, at: Date): Promise<void> {
    const info = this.options.describe(change.entity);
    const label = info?.label ?? change.entity;
    const values = change.after ?? change.before ?? {};
    const title = String(values[info?.titleField ?? 'id'] ?? change.id);
    const verb = { create: 'Created', update: 'Updated', delete: 'Deleted' }[change.operation];
    await this.write(at, {
      operation: change.operation,
      ...actorColumns(change.actor),
      entity: change.entity,
      recordId: change.id,
      summary: `${verb} ${label} ${title}`,
      action: null,
      jobId: null,
      outcome: null,
      message: null,
      changes: diff(change),
    });
  }

  private async jobRequested(job: Job, at: Date): Promise<void> {
    const params = redact(this.options.shownParams(job)) as Record<string, unknown>;
    await this.write(at, {
      operation: 'action-start',
      actor: job.startedBy,
      actorId: job.actorId,
      actorRole: job.actorRole,
      entity: job.entity,
      recordId: job.recordId,
      summary: `Requested ${await this.actionOn(job)}${job.dryRun ? ' (dry run)' : ''}`,
      action: job.action,
      jobId: job.id,
      outcome: job.status,
      message: null,
      changes: Object.keys(params).length ? Object.fromEntries(Object.entries(params).map(([name, value]) => [name, { after: value }])) : null,
    });
  }

  private async jobEnded(job: Job, at: Date): Promise<void> {
    if (!(FINAL_STATUSES as string[]).includes(job.status)) return;
    await this.write(at, {
      operation: 'action-end',
      actor: job.startedBy,
      actorId: job.actorId,
      actorRole: job.actorRole,
      entity: job.entity,
      recordId: job.recordId,
      summary: `${await this.actionOn(job)} ${job.status}`,
      action: job.action,
      jobId: job.id,
      outcome: job.status,
      message: job.status === 'succeeded' ? job.message : job.error,
      changes: null,
    });
  }

  /** "verify on Credential api.scaleway.com", with the record's name when it still exists. */
  private async actionOn(job: Job): Promise<string> {
    const info = this.options.describe(job.entity);
    const label = info?.label ?? job.entity;
    if (!job.recordId) return `${job.action} on ${label} records`;
    let title: unknown;
    if (info) {
      const record = await this.options.data.getRepository(info.entity).findOne({ where: { id: job.recordId }, select: ['id', info.titleField] });
      title = record?.[info.titleField];
    }
    return `${job.action} on ${label} ${title ?? job.recordId}`;
  }

  private async write(at: Date, entry: Entry): Promise<void> {
    const repo = this.options.data.getRepository(AuditEntry);
    await repo.insert(repo.create({ ...entry, summary: entry.summary.slice(0, 1000), createdAt: at, updatedAt: at }) as never);
  }
}

function actorColumns(actor: Change['actor']): Pick<Entry, 'actor' | 'actorId' | 'actorRole'> {
  return { actor: actor.name, actorId: `${actor.kind}:${actor.id}`, actorRole: actor.role };
}

/** Field-by-field differences; secrets appear only as set or changed. */
export function diff(change: Pick<Change, 'before' | 'after' | 'secretsChanged'>): Record<string, AuditChange> | null {
  const before = change.before ?? {};
  const after = change.after ?? {};
  const out: Record<string, AuditChange> = {};
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (IGNORED.has(name)) continue;
    const a = redact(before[name], name);
    const b = redact(after[name], name);
    // A create lists the values set, a delete the values there were; an update what changed.
    if (change.before && change.after ? JSON.stringify(a ?? null) === JSON.stringify(b ?? null) : (a ?? b ?? null) === null) continue;
    out[name] = {
      ...(change.before && { before: a ?? null }),
      ...(change.after && { after: b ?? null }),
    };
  }
  const setBefore = new Set(secretsSet(before));
  const setAfter = new Set(secretsSet(after));
  for (const name of new Set([...setBefore, ...setAfter, ...(change.secretsChanged ?? [])])) {
    const wasSet = setBefore.has(name);
    const isSet = setAfter.has(name);
    const rotated = change.secretsChanged?.includes(name) ?? false;
    if (change.before && change.after && wasSet === isSet && !rotated) continue;
    out[name] = {
      ...(change.before && { before: wasSet ? '[set]' : null }),
      ...(change.after && { after: isSet ? (rotated && wasSet ? '[changed]' : '[set]') : null }),
    };
  }
  return Object.keys(out).length ? out : null;
}

function secretsSet(values: Record<string, unknown>): string[] {
  return Array.isArray(values.secretsSet) ? (values.secretsSet as string[]) : [];
}

/** Replaces values stored under secret-looking names, at any depth. */
export function redact(value: unknown, name?: string): unknown {
  if (name !== undefined && SECRET_KEY_SET.has(name.toLowerCase()) && value !== null && value !== undefined && value !== '') return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redact(item));
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redact(inner, key)]));
  }
  return value;
}
