import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'ticket_field_values' })
export class TicketFieldValue {
  @PrimaryGeneratedColumn({ type: 'bigint', unsigned: true })
  id: string;

  @Column({ name: 'ticket_id', type: 'bigint', unsigned: true })
  ticketId: string;

  @Column({ name: 'field_id', type: 'int', unsigned: true })
  fieldId: number;

  @Column({ type: 'text' })
  value: string;
}
