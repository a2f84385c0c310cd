import { Column, Entity, JoinTable, ManyToMany, PrimaryGeneratedColumn } from 'typeorm';
import { Department } from './department';

export const CUSTOM_FIELD_TYPES = ['text', 'textarea', 'select', 'checkbox'] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

@Entity({ name: 'custom_fields' })
export class CustomField {
  /** The N of `<fN>` in a request. */
  @PrimaryGeneratedColumn({ type: 'int', unsigned: true })
  id: number;

  @Column({ type: 'varchar', length: 200 })
  label: string;

  @Column({ name: 'field_type', type: 'varchar', length: 20 })
  fieldType: CustomFieldType;

  /** Allowed values of a select or checkbox field; empty for free text. */
  @Column({ type: 'json' })
  options: string[];

  @Column({ type: 'boolean', default: false })
  required: boolean;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ name: 'sort_order', type: 'int', default: 0 })
  sortOrder: number;

  /** Departments whose tickets use this field. */
  @ManyToMany(() => Department)
  @JoinTable({
    name: 'custom_field_departments',
    joinColumn: { name: 'field_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'department_id', referencedColumnName: 'id' },
  })
  departments: Department[];
}
