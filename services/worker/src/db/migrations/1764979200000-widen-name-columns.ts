import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Widens `tickets.name` and `accounts.name` from 200 to 254 characters. A ticket sent
 * without a name stores the e-mail address as the name, and a valid address may have up
 * to 254 characters, so such a ticket failed with "Data too long for column 'name'".
 * Names that clients send are still limited to 200 characters by the gateway.
 */
export class WidenNameColumns1764979200000 implements MigrationInterface {
  name = 'WidenNameColumns1764979200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE tickets MODIFY name VARCHAR(254) NOT NULL');
    await queryRunner.query('ALTER TABLE accounts MODIFY name VARCHAR(254) NOT NULL');
  }

  /** Fails in strict SQL mode while a stored name is longer than 200 characters. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE accounts MODIFY name VARCHAR(200) NOT NULL');
    await queryRunner.query('ALTER TABLE tickets MODIFY name VARCHAR(200) NOT NULL');
  }
}
