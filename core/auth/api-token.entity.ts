import { Column, Entity } from 'typeorm';
import { BaseRecord, DateField, EnumField, StringField } from '../fields.js';
import { Resource } from '../resource.js';
import { ROLES, type Role } from '../roles.js';

/** A bearer token for the API. Only its SHA-256 is stored; the token itself is shown once, at creation. */
@Entity('mv_api_token')
@Resource({ label: 'API token', group: 'Administration', read: 'admin', write: 'admin', readOnly: true })
export class ApiToken extends BaseRecord {
  @StringField({ length: 100, summary: true, readOnly: true })
  name: string;

  @EnumField(ROLES, { summary: true, readOnly: true })
  role: Role;

  /** The first characters, to recognise a token in lists without revealing it. */
  @StringField({ length: 16, summary: true, readOnly: true })
  prefix: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  tokenHash: string;

  @StringField({ length: 255, readOnly: true, label: 'Created by' })
  createdBy: string;

  @DateField({ nullable: true, readOnly: true, summary: true })
  lastUsedAt: Date | null;

  @DateField({ nullable: true, readOnly: true, summary: true })
  revokedAt: Date | null;
}
