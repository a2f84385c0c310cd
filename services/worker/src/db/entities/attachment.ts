import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'attachments' })
export class Attachment {
  @PrimaryGeneratedColumn({ type: 'bigint', unsigned: true })
  id: string;

  @Column({ name: 'ticket_id', type: 'bigint', unsigned: true })
  ticketId: string;

  /** 1-based position of the `<file>` element in its ticket. */
  @Column({ type: 'smallint', unsigned: true })
  position: number;

  /** Display name exactly as sent (binary collation, so nothing is folded or normalised). */
  @Column({ name: 'file_name', type: 'varchar', length: 255, collation: 'utf8mb4_bin' })
  fileName: string;

  @Column({ type: 'varchar', length: 16 })
  ext: string;

  @Column({ name: 'size_bytes', type: 'bigint', unsigned: true })
  sizeBytes: string;

  @Column({ name: 'mime_type', type: 'varchar', length: 127 })
  mimeType: string;

  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ name: 'object_key', type: 'varchar', length: 255, unique: true })
  objectKey: string;

  @CreateDateColumn({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;
}
