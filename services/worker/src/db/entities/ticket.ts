import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'tickets' })
export class Ticket {
  /** The `<ticketID>` returned to the client. */
  @PrimaryGeneratedColumn({ type: 'bigint', unsigned: true })
  id: string;

  /** Id of the queue job that created the ticket; unique, so a job stores at most one ticket. */
  @Column({ name: 'job_id', type: 'varchar', length: 64, unique: true })
  jobId: string;

  @Column({ name: 'account_id', type: 'int', unsigned: true })
  accountId: number;

  @Column({ name: 'department_id', type: 'int', unsigned: true })
  departmentId: number;

  @Column({ name: 'priority_id', type: 'int', unsigned: true })
  priorityId: number;

  @Column({ name: 'status_id', type: 'int', unsigned: true })
  statusId: number;

  /** Name sent with this ticket, or the e-mail address when none was sent. */
  @Column({ type: 'varchar', length: 254 })
  name: string;

  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ type: 'varchar', length: 250 })
  subject: string;

  @Column({ type: 'mediumtext' })
  comments: string;

  @Column({ type: 'varchar', length: 20, default: 'api' })
  source: string;

  /** Label of the API key that sent the ticket; the key itself is never stored. */
  @Column({ name: 'api_key_label', type: 'varchar', length: 64 })
  apiKeyLabel: string;

  @Column({ name: 'caller_ip', type: 'varchar', length: 45 })
  callerIp: string;

  @Column({ name: 'request_id', type: 'varchar', length: 64 })
  requestId: string;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
