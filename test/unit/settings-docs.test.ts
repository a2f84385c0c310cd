import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as shared from '@ticket-intake/shared';

const ROOT = path.join(__dirname, '..', '..');
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const envExample = readFileSync(path.join(ROOT, '.env.example'), 'utf8');

// Every exported group of settings, whatever service reads it.
const names = Object.entries(shared)
  .filter(([exported]) => exported.endsWith('Settings') && exported !== 'allSettings')
  .flatMap(([, group]) => Object.values(group as Record<string, { name: string }>).map((setting) => setting.name));

test('settings found', () => {
  expect(names).toContain('REDIS_URL');
  expect(names).toContain('WAIT_TIMEOUT_MS');
});

test.each(names)('%s documented in README and .env.example', (name) => {
  expect(readme).toContain(`\`${name}\``);
  expect(envExample).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
});
