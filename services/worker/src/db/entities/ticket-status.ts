import { Entity } from 'typeorm';
import { LookupValue } from './lookup-value';

@Entity({ name: 'ticket_statuses' })
export class TicketStatus extends LookupValue {}
