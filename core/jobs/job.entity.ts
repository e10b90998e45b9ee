import { Column, Entity, Index } from 'typeorm';
import { BaseRecord, bigintAsNumber, BoolField, DateField, EnumField, IntField, JsonField, StringField, TextField } from '../fields.js';
import { Resource } from '../resource.js';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

/** The job has ended: nothing will change it any more. */
export function isFinal(status: string): boolean {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

/** Claimed again after a worker stopped before the end: it goes on from its own steps. */
export function isResumed(job: Pick<Job, 'attempts'>): boolean {
  return job.attempts > 1;
}

export interface JobStep {
  at: string;
  percent: number;
  message: string;
}

/** One run of an action: what was asked, by whom, how it went. Jobs outlive the process that ran them. */
@Entity('mv_job')
@Index('IDX_mv_job_status_created', ['status', 'createdAt'])
@Index('IDX_mv_job_record', ['entity', 'recordId'])
// At most one running job per record: the second worker's claim fails instead of running beside it.
@Index('UQ_mv_job_running_record', ['recordKey'], { unique: true, where: `"status" = 'running'` })
// The same action cannot be queued twice on one record: a second create is refused, not run.
@Index('UQ_mv_job_active_action', ['recordKey', 'action'], { unique: true, where: `"status" IN ('queued', 'running')` })
@Resource({ label: 'Job', group: 'Jobs & audit', titleField: 'action', readOnly: true })
export class Job extends BaseRecord {
  @StringField({ length: 64, readOnly: true })
  module: string;

  @StringField({ length: 64, summary: true, readOnly: true })
  entity: string;

  @StringField({ length: 64, nullable: true, summary: true, readOnly: true, label: 'Record' })
  recordId: string | null;

  /**
   * `Entity:id`; for list actions `Entity:*`, or `Entity:*:<key>` with the action's lockKey. Jobs with the
   * same key never run at the same time.
   */
  @Column({ type: 'varchar', length: 200 })
  recordKey: string;

  @StringField({ length: 64, summary: true, readOnly: true })
  action: string;

  @JsonField({ of: 'object', readOnly: true, label: 'Parameters' })
  params: Record<string, unknown>;

  @EnumField(JOB_STATUSES, { default: 'queued', summary: true, readOnly: true })
  status: JobStatus;

  @IntField({ default: 0, summary: true, readOnly: true, label: 'Progress %' })
  percent: number;

  @JsonField({ readOnly: true, label: 'Progress steps' })
  steps: JobStep[];

  @TextField({ nullable: true, readOnly: true, label: 'Result' })
  message: string | null;

  @JsonField({ nullable: true, readOnly: true, label: 'Result value' })
  value: unknown;

  @TextField({ nullable: true, readOnly: true })
  error: string | null;

  /** What kind of failure (validation_failed, precondition_failed, provider_error, timeout, ...), for scripts. */
  @StringField({ length: 32, nullable: true, readOnly: true, label: 'Error code' })
  errorCode: string | null;

  @TextField({ nullable: true, readOnly: true, label: 'Error cause' })
  errorCause: string | null;

  @JsonField({ nullable: true, readOnly: true, label: 'Error details' })
  errorDetails: unknown;

  @StringField({ length: 255, summary: true, readOnly: true, label: 'Started by' })
  startedBy: string;

  @Column({ type: 'varchar', length: 64 })
  actorId: string;

  @Column({ type: 'varchar', length: 16 })
  actorRole: string;

  @BoolField({ default: false, readOnly: true, label: 'Dry run' })
  dryRun: boolean;

  @IntField({ default: 0, readOnly: true })
  attempts: number;

  @DateField({ nullable: true, readOnly: true })
  startedAt: Date | null;

  @DateField({ nullable: true, readOnly: true })
  finishedAt: Date | null;

  @BoolField({ default: false, readOnly: true, label: 'Cancel requested' })
  cancelRequested: boolean;

  /**
   * The claim holding the job (or that last held it): `<worker id>#<claim token>`, new at every claim, so
   * that a worker cannot write over its own earlier claim; and until when (epoch ms, the database's clock)
   * unless it renews.
   */
  @Column({ type: 'varchar', length: 100, nullable: true })
  leaseOwner: string | null;

  @Column({ type: 'bigint', nullable: true, transformer: bigintAsNumber })
  leaseExpiresAt: number | null;
}
