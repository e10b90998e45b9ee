import { Column, Entity } from 'typeorm';
import { IsEmail } from 'class-validator';
import { BaseRecord, BoolField, DateField, EnumField, StringField } from '../fields.js';
import { Resource } from '../resource.js';
import { ROLES, type Role } from '../roles.js';

/** A person who logs in to the back-office. */
@Entity('mv_user')
@Resource({ label: 'User', group: 'Administration', titleField: 'email', read: 'admin', write: 'admin' })
export class User extends BaseRecord {
  @StringField({ length: 255, unique: true, summary: true })
  @IsEmail({ require_tld: false }, { message: 'email must be an email address' })
  email: string;

  @StringField({ length: 255, nullable: true, summary: true })
  name: string | null;

  @EnumField(ROLES, { default: 'viewer', summary: true })
  role: Role;

  /** argon2id; never a field: not readable or writable through CRUD. */
  @Column({ type: 'varchar', length: 255 })
  passwordHash: string;

  @BoolField({ default: false })
  disabled: boolean;

  @DateField({ nullable: true, readOnly: true, summary: true })
  lastLoginAt: Date | null;
}
