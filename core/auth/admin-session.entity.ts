import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A back-office session. The columns are the ones connect-pg-simple reads and writes on PostgreSQL (`sid`,
 * `sess`, `expire`); on SQLite the back-office's own TypeORM store uses the same table. Not a resource:
 * nobody browses sessions.
 */
@Entity('mv_admin_session')
@Index('IDX_mv_admin_session_expire', ['expire'])
export class AdminSession {
  @PrimaryColumn({ type: 'varchar', length: 255 })
  sid: string;

  /** The session as JSON (the signed-in user's id, email and role; never a password). */
  @Column({ type: 'text' })
  sess: string;

  @Column({ type: Date })
  expire: Date;
}
