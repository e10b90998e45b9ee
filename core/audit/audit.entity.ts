import { Entity, Index } from 'typeorm';
import { BaseRecord, EnumField, JsonField, StringField, TextField } from '../fields.js';
import { Resource } from '../resource.js';

export const AUDIT_OPERATIONS = ['create', 'update', 'delete', 'action-start', 'action-end'] as const;
export type AuditOperation = (typeof AUDIT_OPERATIONS)[number];

/** One value of a field before and after a change; secrets only ever appear as "[set]" or "[changed]". */
export interface AuditChange {
  before?: unknown;
  after?: unknown;
}

/**
 * Who did what, when: every create, update and delete of a record, and every action run (requested, then
 * ended). Written by the audit recorder only; nobody edits it.
 */
@Entity('mv_audit')
@Index('IDX_mv_audit_created', ['createdAt'])
@Index('IDX_mv_audit_record', ['entity', 'recordId'])
@Resource({ label: 'Audit entry', group: 'Jobs & audit', titleField: 'summary', read: 'admin', readOnly: true })
export class AuditEntry extends BaseRecord {
  @EnumField(AUDIT_OPERATIONS, { summary: true, readOnly: true })
  operation: AuditOperation;

  @StringField({ length: 255, summary: true, readOnly: true, label: 'Who' })
  actor: string;

  /** `user:<id>`, `token:<id>`, `cli:<login>`. */
  @StringField({ length: 100, readOnly: true, label: 'Actor id' })
  actorId: string;

  @StringField({ length: 16, readOnly: true, label: 'Role' })
  actorRole: string;

  @StringField({ length: 64, summary: true, readOnly: true })
  entity: string;

  @StringField({ length: 64, nullable: true, readOnly: true, label: 'Record' })
  recordId: string | null;

  @StringField({ length: 1000, summary: true, readOnly: true, label: 'What' })
  summary: string;

  @StringField({ length: 64, nullable: true, readOnly: true })
  action: string | null;

  @StringField({ length: 64, nullable: true, readOnly: true, label: 'Job' })
  jobId: string | null;

  /** For action ends: succeeded, failed or cancelled. */
  @StringField({ length: 16, nullable: true, summary: true, readOnly: true })
  outcome: string | null;

  /** The result message or the failure reason of an action. */
  @TextField({ nullable: true, readOnly: true, label: 'Result' })
  message: string | null;

  /** Field by field: `{ "name": { "before": "a", "after": "b" } }`; action parameters for action starts. */
  @JsonField({ of: 'object', readOnly: true, label: 'Changes' })
  changes: Record<string, AuditChange> | null;
}
