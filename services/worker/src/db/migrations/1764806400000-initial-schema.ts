import type { MigrationInterface, QueryRunner } from 'typeorm';

const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

function lookupTable(name: string): string {
  return `CREATE TABLE \`${name}\` (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT,
    marker VARCHAR(50) NOT NULL,
    name VARCHAR(100) NOT NULL,
    enabled TINYINT(1) NOT NULL DEFAULT 1,
    is_default TINYINT(1) NOT NULL DEFAULT 0,
    sort_order INT NOT NULL DEFAULT 0,
    PRIMARY KEY (id),
    UNIQUE KEY uq_${name}_marker (marker)
  ) ${TABLE_OPTIONS}`;
}

/**
 * Creates every table and seeds the default catalog: department 1 "General", priority
 * levels low/medium/high (ids 1 to 3, low is the default), statuses open/close/closed
 * (open is the default), the language english and custom field 1, an optional text
 * field "Reference" of department 1.
 */
export class InitialSchema1764806400000 implements MigrationInterface {
  name = 'InitialSchema1764806400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE departments (
      id INT UNSIGNED NOT NULL AUTO_INCREMENT,
      name VARCHAR(100) NOT NULL,
      enabled TINYINT(1) NOT NULL DEFAULT 1,
      sort_order INT NOT NULL DEFAULT 0,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (id)
    ) ${TABLE_OPTIONS}`);

    await queryRunner.query(lookupTable('priority_levels'));
    await queryRunner.query(lookupTable('ticket_statuses'));
    await queryRunner.query(lookupTable('languages'));

    await queryRunner.query(`CREATE TABLE custom_fields (
      id INT UNSIGNED NOT NULL AUTO_INCREMENT,
      label VARCHAR(200) NOT NULL,
      field_type VARCHAR(20) NOT NULL,
      options JSON NOT NULL,
      required TINYINT(1) NOT NULL DEFAULT 0,
      enabled TINYINT(1) NOT NULL DEFAULT 1,
      sort_order INT NOT NULL DEFAULT 0,
      PRIMARY KEY (id)
    ) ${TABLE_OPTIONS}`);

    await queryRunner.query(`CREATE TABLE custom_field_departments (
      field_id INT UNSIGNED NOT NULL,
      department_id INT UNSIGNED NOT NULL,
      PRIMARY KEY (field_id, department_id),
      KEY ix_custom_field_departments_department (department_id),
      CONSTRAINT fk_cfd_field FOREIGN KEY (field_id) REFERENCES custom_fields (id) ON DELETE CASCADE,
      CONSTRAINT fk_cfd_department FOREIGN KEY (department_id) REFERENCES departments (id) ON DELETE CASCADE
    ) ${TABLE_OPTIONS}`);

    await queryRunner.query(`CREATE TABLE accounts (
      id INT UNSIGNED NOT NULL AUTO_INCREMENT,
      name VARCHAR(200) NOT NULL,
      email VARCHAR(254) NOT NULL,
      email_normalized VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
      language VARCHAR(50) NOT NULL,
      timezone VARCHAR(64) NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (id),
      UNIQUE KEY uq_accounts_email_normalized (email_normalized)
    ) ${TABLE_OPTIONS}`);

    await queryRunner.query(`CREATE TABLE tickets (
      id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
      job_id VARCHAR(64) NOT NULL,
      account_id INT UNSIGNED NOT NULL,
      department_id INT UNSIGNED NOT NULL,
      priority_id INT UNSIGNED NOT NULL,
      status_id INT UNSIGNED NOT NULL,
      name VARCHAR(200) NOT NULL,
      email VARCHAR(254) NOT NULL,
      subject VARCHAR(250) NOT NULL,
      comments MEDIUMTEXT NOT NULL,
      source VARCHAR(20) NOT NULL DEFAULT 'api',
      api_key_label VARCHAR(64) NOT NULL,
      caller_ip VARCHAR(45) NOT NULL,
      request_id VARCHAR(64) NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (id),
      UNIQUE KEY uq_tickets_job_id (job_id),
      KEY ix_tickets_account (account_id),
      KEY ix_tickets_department (department_id),
      KEY ix_tickets_created_at (created_at),
      CONSTRAINT fk_tickets_account FOREIGN KEY (account_id) REFERENCES accounts (id),
      CONSTRAINT fk_tickets_department FOREIGN KEY (department_id) REFERENCES departments (id),
      CONSTRAINT fk_tickets_priority FOREIGN KEY (priority_id) REFERENCES priority_levels (id),
      CONSTRAINT fk_tickets_status FOREIGN KEY (status_id) REFERENCES ticket_statuses (id)
    ) ${TABLE_OPTIONS}`);

    await queryRunner.query(`CREATE TABLE ticket_field_values (
      id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
      ticket_id BIGINT UNSIGNED NOT NULL,
      field_id INT UNSIGNED NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (id),
      UNIQUE KEY uq_ticket_field_values (ticket_id, field_id),
      KEY ix_ticket_field_values_field (field_id),
      CONSTRAINT fk_tfv_ticket FOREIGN KEY (ticket_id) REFERENCES tickets (id) ON DELETE CASCADE,
      CONSTRAINT fk_tfv_field FOREIGN KEY (field_id) REFERENCES custom_fields (id)
    ) ${TABLE_OPTIONS}`);

    await queryRunner.query(`CREATE TABLE attachments (
      id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
      ticket_id BIGINT UNSIGNED NOT NULL,
      position SMALLINT UNSIGNED NOT NULL,
      file_name VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
      ext VARCHAR(16) NOT NULL,
      size_bytes BIGINT UNSIGNED NOT NULL,
      mime_type VARCHAR(127) NOT NULL,
      sha256 CHAR(64) NOT NULL,
      object_key VARCHAR(255) NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (id),
      UNIQUE KEY uq_attachments_object_key (object_key),
      KEY ix_attachments_ticket (ticket_id),
      CONSTRAINT fk_attachments_ticket FOREIGN KEY (ticket_id) REFERENCES tickets (id) ON DELETE CASCADE
    ) ${TABLE_OPTIONS}`);

    await queryRunner.query(`CREATE TABLE ticket_history (
      id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
      ticket_id BIGINT UNSIGNED NOT NULL,
      action VARCHAR(50) NOT NULL,
      detail TEXT NOT NULL,
      created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (id),
      KEY ix_ticket_history_ticket (ticket_id),
      CONSTRAINT fk_ticket_history_ticket FOREIGN KEY (ticket_id) REFERENCES tickets (id) ON DELETE CASCADE
    ) ${TABLE_OPTIONS}`);

    await this.seed(queryRunner);
  }

  private async seed(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`INSERT INTO departments (id, name, enabled, sort_order) VALUES (1, 'General', 1, 1)`);
    await queryRunner.query(`INSERT INTO priority_levels (id, marker, name, enabled, is_default, sort_order) VALUES
      (1, 'low', 'Low', 1, 1, 1), (2, 'medium', 'Medium', 1, 0, 2), (3, 'high', 'High', 1, 0, 3)`);
    await queryRunner.query(`INSERT INTO ticket_statuses (id, marker, name, enabled, is_default, sort_order) VALUES
      (1, 'open', 'Open', 1, 1, 1), (2, 'close', 'Close', 1, 0, 2), (3, 'closed', 'Closed', 1, 0, 3)`);
    await queryRunner.query(`INSERT INTO languages (id, marker, name, enabled, is_default, sort_order) VALUES
      (1, 'english', 'English', 1, 1, 1)`);
    await queryRunner.query(`INSERT INTO custom_fields (id, label, field_type, options, required, enabled, sort_order)
      VALUES (1, 'Reference', 'text', '[]', 0, 1, 1)`);
    await queryRunner.query(`INSERT INTO custom_field_departments (field_id, department_id) VALUES (1, 1)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'ticket_history',
      'attachments',
      'ticket_field_values',
      'tickets',
      'accounts',
      'custom_field_departments',
      'custom_fields',
      'languages',
      'ticket_statuses',
      'priority_levels',
      'departments',
    ]) {
      await queryRunner.query(`DROP TABLE \`${table}\``);
    }
  }
}
