import { Entity, Index } from 'typeorm';
import { BaseRecord, RefField, Resource, StringField, TextField } from 'mv-infra/core';

/** A user-data entry of a server (`cloud-init` is the one cloud-init reads at boot). */
@Entity('server_user_data')
@Index(['serverId', 'key'], { unique: true })
// Operators and up: cloud-init documents often carry passwords and keys.
@Resource({ label: 'Server user data', group: 'Scaleway', titleField: 'key', read: 'operator' })
export class ServerUserData extends BaseRecord {
  @RefField('ScalewayServer', { nullable: false, onDelete: 'CASCADE', summary: true, label: 'Server', index: false })
  serverId: string;

  @StringField({ length: 100, summary: true, default: 'cloud-init' })
  key: string;

  @StringField({ length: 100, default: 'text/plain', label: 'Content type' })
  contentType: string;

  @TextField({ nullable: true })
  content: string | null;
}
