import { Entity } from 'typeorm';
import { BaseRecord, DateField, IntField, RefField, Resource, StringField, TextField } from 'mv-infra/core';

/** One power or backup action sent to a server, and how it went: the server's action history. */
@Entity('server_action')
@Resource({ label: 'Server action', group: 'Scaleway', titleField: 'action', readOnly: true })
export class ServerAction extends BaseRecord {
  /** Kept when the server is deleted: the history outlives it. */
  @RefField('ScalewayServer', { summary: true, label: 'Server' })
  serverId: string | null;

  @StringField({ length: 255, nullable: true, label: 'Server name' })
  serverName: string | null;

  @StringField({ length: 32, summary: true })
  action: string;

  /** pending, started, success, failure. */
  @StringField({ length: 16, summary: true })
  status: string;

  @StringField({ length: 64, nullable: true, label: 'Task id' })
  taskId: string | null;

  @StringField({ length: 64, nullable: true, label: 'Job' })
  jobId: string | null;

  @DateField({ nullable: true, summary: true })
  startedAt: Date | null;

  @DateField({ nullable: true })
  terminatedAt: Date | null;

  @IntField({ nullable: true, label: 'Elapsed (ms)' })
  elapsedTimeMs: number | null;

  @TextField({ nullable: true })
  detail: string | null;
}
