import { Entity } from 'typeorm';
import { LookupValue } from './lookup-value';

@Entity({ name: 'languages' })
export class Language extends LookupValue {}
