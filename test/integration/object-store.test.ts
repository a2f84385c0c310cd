import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ObjectStore } from '../../packages/shared/src/object-store';
import { LOCAL_S3_CREDENTIALS } from '../../scripts/local-s3';
import { startLocalStore, type LocalStore } from '../support/local-store';

let local: LocalStore;
let store: ObjectStore;

beforeAll(async () => {
  local = await startLocalStore('object-store-test');
  store = local.store;
});

afterAll(async () => {
  await local.close();
});

function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('ObjectStore.put', () => {
  test('stores bytes with a known hash', async () => {
    const bytes = randomBytes(300_000);

    await store.put('hashed/one.bin', bytes, 'application/octet-stream', sha256Of(bytes));

    expect((await store.read('hashed/one.bin')).equals(bytes)).toBe(true);
  });

  test('stores an empty object with a hash', async () => {
    const empty = Buffer.alloc(0);

    await store.put('hashed/empty.bin', empty, 'text/plain', sha256Of(empty));

    expect((await store.read('hashed/empty.bin')).length).toBe(0);
  });

  test('stores bytes without a hash', async () => {
    const bytes = Buffer.from('plain upload');

    await store.put('plain/one.txt', bytes, 'text/plain');

    expect((await store.read('plain/one.txt')).toString()).toBe('plain upload');
  });

  test('sets the content type', async () => {
    const bytes = Buffer.from('{}');

    await store.put('hashed/typed.json', bytes, 'application/json', sha256Of(bytes));
    const stat = await store.client.statObject(store.bucket, 'hashed/typed.json');

    expect(stat.metaData['content-type']).toBe('application/json');
  });

  test('signs with the given hash', async () => {
    // A server that records the request shows what the store sends.
    let received: { headers: IncomingHttpHeaders; body: Buffer } | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received = { headers: req.headers, body: Buffer.concat(chunks) };
        res.end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const recorder = new ObjectStore({
      endpoint: new URL(`http://127.0.0.1:${port}`),
      ...LOCAL_S3_CREDENTIALS,
      bucket: 'recorded',
      region: 'us-east-1',
    });
    const bytes = Buffer.from('signed bytes');

    try {
      await recorder.put('key.txt', bytes, 'text/plain', sha256Of(bytes));
    } finally {
      server.close();
    }

    expect(received?.headers['x-amz-content-sha256']).toBe(sha256Of(bytes));
    expect(received?.headers.authorization).toContain('Signature=');
    expect(received?.body.equals(bytes)).toBe(true);
  });
});
