import { Column, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Columns shared by the catalog tables that tickets refer to by marker, name or id:
 * priority levels, ticket statuses and languages.
 */
export abstract class LookupValue {
  @PrimaryGeneratedColumn({ type: 'int', unsigned: true })
  id: number;

  /** Short key that clients send, such as "high" or "open"; unique, case-insensitive. */
  @Column({ type: 'varchar', length: 50, unique: true })
  marker: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault: boolean;

  @Column({ name: 'sort_order', type: 'int', default: 0 })
  sortOrder: number;
}
