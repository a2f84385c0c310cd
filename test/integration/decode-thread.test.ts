import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { DecodeThread } from '../../services/gateway/src/tickets/decode-thread';
import { AttachmentData, AttachmentScanner } from '../../services/gateway/src/xml/attachment-data';

let thread: DecodeThread;

beforeEach(() => {
  thread = new DecodeThread(pino({ level: 'silent' }));
});
afterEach(async () => {
  await thread.close();
});

/** Returns `text` in a buffer of shared memory, where the gateway keeps large bodies. */
function shared(text: string): Buffer {
  const buffer = Buffer.from(new SharedArrayBuffer(Buffer.byteLength(text)));
  buffer.write(text, 'latin1');
  return buffer;
}

/** Feeds `body` to a scanner in pieces, as `readBody` does while the body arrives. */
async function scanInPieces(body: Buffer, pieceBytes: number): Promise<AttachmentData> {
  const scanner = new AttachmentScanner(thread.open);
  for (let available = pieceBytes; available < body.length; available += pieceBytes) scanner.scan(body, available);
  return scanner.finish(body);
}

describe('DecodeThread', () => {
  test('decodes like the main thread', async () => {
    const first = randomBytes(300_000);
    const second = randomBytes(5);
    const xml = `<a><data>${first.toString('base64').replace(/.{76}/g, '$&\r\n')}</data><data>${second.toString('base64')}</data><data>QUJ</data></a>`;

    const data = await scanInPieces(shared(xml), 65_536);
    const inline = AttachmentData.extract(Buffer.from(xml, 'latin1'));

    expect(data.skeleton.toString('latin1').replace(/#data-[0-9a-f]+-/g, '#')).toBe(
      inline.skeleton.toString('latin1').replace(/#data-[0-9a-f]+-/g, '#'),
    );
    const texts = data.skeleton.toString('latin1').match(/#data-[0-9a-f]+-\d+/g)!;
    expect(data.take(texts[0]!)?.decoded?.bytes.equals(first)).toBe(true);
    expect(data.take(texts[1]!)?.decoded?.bytes.equals(second)).toBe(true);
    expect(data.take(texts[2]!)?.decoded).toBeUndefined();
    expect(data.take(texts[2]!)?.raw.toString()).toBe('QUJ');
  });

  test('decodes memory that is not shared inline', async () => {
    const scanner = new AttachmentScanner(thread.open);

    const data = await scanner.finish(Buffer.from('<a><data>QUJD</data></a>'));

    expect(data.take(data.skeleton.toString().match(/#data-[0-9a-f]+-0/)![0])?.decoded?.bytes.toString()).toBe('ABC');
  });

  test('a stopped thread leaves the data to the strict decoder', async () => {
    const body = shared(`<a><data>${randomBytes(3000).toString('base64')}</data></a>`);
    const scanner = new AttachmentScanner(thread.open);
    scanner.scan(body, 1000);

    await thread.close();
    const data = await scanner.finish(body);

    const [token] = data.skeleton.toString('latin1').match(/#data-[0-9a-f]+-0/)!;
    expect(data.take(token)?.decoded).toBeUndefined();
    expect(data.take(token)?.raw.length).toBe(4000);
  });

  test('a new thread starts after a stop', async () => {
    await thread.close();

    const data = await scanInPieces(shared('<a><data>QUJD\nREVG</data></a>'), 7);

    const [token] = data.skeleton.toString('latin1').match(/#data-[0-9a-f]+-0/)!;
    expect(data.take(token)?.decoded?.bytes.toString()).toBe('ABCDEF');
  });
});
