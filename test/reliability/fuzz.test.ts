/**
 * 10,000 documents made by mutating the case fixtures and the example: whatever
 * arrives, the gateway answers with a well-formed XML document and never a 5xx.
 * Mutations come from a seeded generator, so a failure can be replayed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseXml } from 'libxmljs2';
import { FIXTURES } from '../support/http';
import { startStack, type TestStack } from '../support/stack';

const DOCUMENTS = Number(process.env.FUZZ_DOCUMENTS ?? 10_000);
const IN_FLIGHT = 16;
const SEED = Number(process.env.FUZZ_SEED ?? 20261204);

const seeds = [
  ...readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.xml'))
    .map((name) => readFileSync(path.join(FIXTURES, name))),
  readFileSync(path.join(__dirname, '..', '..', 'examples', 'add-ticket.xml')),
];

const FRAGMENTS = [
  '<', '>', '&', '&amp;', '&#0;', '&#x1F600;', ']]>', '<![CDATA[', '<!DOCTYPE x>', '<!ENTITY a "b">',
  '<?xml version="1.0"?>', '<ticket>', '</ticket>', '<data>', '</data>', '<f99>x</f99>', '<dept>0</dept>',
  '%3C', '%', '+', '\u0000', '\u000b', '\ufeff', '\ud83d', 'é', '🔥', '="', 'A'.repeat(300), '\r\n',
];

/** xorshift32, the same generator family the case generators use. */
function createRandom(seed: number): (limit: number) => number {
  let state = seed >>> 0 || 1;
  return (limit) => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % limit;
  };
}

function mutate(random: (limit: number) => number): Buffer {
  let bytes = Buffer.from(seeds[random(seeds.length)]!);
  const steps = 1 + random(4);
  for (let step = 0; step < steps; step++) {
    const at = random(bytes.length + 1);
    switch (random(7)) {
      case 0: {
        if (bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] = random(256);
        break;
      }
      case 1:
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + random(40))]);
        break;
      case 2: {
        const length = random(200);
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at, at + length), bytes.subarray(at)]);
        break;
      }
      case 3: {
        const fragment = Buffer.from(FRAGMENTS[random(FRAGMENTS.length)]!);
        bytes = Buffer.concat([bytes.subarray(0, at), fragment, bytes.subarray(at)]);
        break;
      }
      case 4:
        bytes = bytes.subarray(0, at);
        break;
      case 5:
        bytes = Buffer.from(encodeURIComponent(bytes.toString('latin1')), 'latin1');
        break;
      default: {
        const text = bytes.toString('utf8');
        const tag = ['name', 'email', 'subject', 'comments', 'priority', 'status', 'ext', 'data'][random(8)]!;
        const value = FRAGMENTS[random(FRAGMENTS.length)]!.repeat(1 + random(20));
        bytes = Buffer.from(text.replace(new RegExp(`<${tag}>[^<]*</${tag}>`), `<${tag}>${value}</${tag}>`));
      }
    }
  }
  return bytes;
}

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ WORKER_CONCURRENCY: '8' });
});
afterAll(async () => {
  await stack.close();
});

test(`${DOCUMENTS} mutated documents get XML answers`, async () => {
  const random = createRandom(SEED);
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  let sent = 0;

  async function client(): Promise<void> {
    while (sent < DOCUMENTS) {
      const number = sent++;
      const body = mutate(random);
      const response = await fetch(`${stack.url}/api`, { method: 'POST', body });
      const text = await response.text();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);

      let problem: string | undefined;
      if (response.status >= 500) problem = `status ${response.status}`;
      else if (response.headers.get('content-type') !== 'application/xml; charset=utf-8') problem = 'content type';
      else {
        try {
          const root = parseXml(text).root();
          if (root?.name() !== 'msapi' || !root.get('status')) problem = 'no <msapi><status>';
        } catch (error) {
          problem = `answer is not XML: ${(error as Error).message}`;
        }
      }
      if (problem) failures.push(`document ${number}: ${problem}: ${text.slice(0, 300)}`);
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, client));

  expect(failures.slice(0, 5)).toEqual([]);
  expect([...statuses.values()].reduce((sum, count) => sum + count, 0)).toBe(DOCUMENTS);
  // Both accepted and rejected documents were exercised.
  expect(statuses.get(200)).toBeGreaterThan(0);
  expect(statuses.get(400)).toBeGreaterThan(0);
}, 300_000);
