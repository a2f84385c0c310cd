import { Entity } from 'typeorm';
import { LookupValue } from './lookup-value';

@Entity({ name: 'priority_levels' })
export class PriorityLevel extends LookupValue {}
