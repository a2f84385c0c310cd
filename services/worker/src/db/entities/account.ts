import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'accounts' })
export class Account {
  @PrimaryGeneratedColumn({ type: 'int', unsigned: true })
  id: number;

  /** Name of the first ticket, or the e-mail address when that ticket had none. */
  @Column({ type: 'varchar', length: 254 })
  name: string;

  /** The address as first sent. */
  @Column({ type: 'varchar', length: 254 })
  email: string;

  /** Lower-cased address with a unique index, so one address has one account. */
  @Column({ name: 'email_normalized', type: 'varchar', length: 254, unique: true, collation: 'utf8mb4_bin' })
  emailNormalized: string;

  @Column({ type: 'varchar', length: 50 })
  language: string;

  @Column({ type: 'varchar', length: 64 })
  timezone: string;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
