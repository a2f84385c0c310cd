import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'ticket_history' })
export class TicketHistory {
  @PrimaryGeneratedColumn({ type: 'bigint', unsigned: true })
  id: string;

  @Column({ name: 'ticket_id', type: 'bigint', unsigned: true })
  ticketId: string;

  /** Kind of event, such as "created". */
  @Column({ type: 'varchar', length: 50 })
  action: string;

  @Column({ type: 'text' })
  detail: string;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
