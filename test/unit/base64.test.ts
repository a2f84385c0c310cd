import { createHash, randomBytes } from 'node:crypto';
import {
  Base64Decoder,
  decodeBase64Fast,
  decodeBase64Strict,
  decodeBase64Text,
  type Base64Result,
} from '../../services/gateway/src/tickets/base64';

function bytesOf(result: Base64Result): Buffer {
  if (!result.ok) throw new Error(`expected valid base64, got: ${result.problem}`);
  return result.bytes;
}

function problemOf(result: Base64Result): string {
  if (result.ok) throw new Error('expected invalid base64, but it decoded');
  return result.problem;
}

describe('decodeBase64Strict', () => {
  test.each([
    { label: 'empty input', input: '', expected: '' },
    { label: 'white space only', input: ' \r\n\t', expected: '' },
    { label: 'one byte', input: 'QQ==', expected: 'A' },
    { label: 'two bytes', input: 'QUI=', expected: 'AB' },
    { label: 'three bytes', input: 'QUJD', expected: 'ABC' },
    { label: 'wrapped at 4', input: 'QUJD\nREVG\n', expected: 'ABCDEF' },
    { label: 'CRLF line breaks', input: 'QUJD\r\nREVG\r\n', expected: 'ABCDEF' },
    { label: 'spaces and tabs', input: ' Q U\tJ D ', expected: 'ABC' },
    { label: 'line break in padding', input: 'QQ=\n=', expected: 'A' },
  ])('decodes $label', ({ input, expected }) => {
    expect(bytesOf(decodeBase64Strict(Buffer.from(input, 'latin1'))).toString('latin1')).toBe(expected);
  });

  test('round trip of random bytes', () => {
    for (const size of [0, 1, 2, 3, 4, 5, 57, 1000, 4096]) {
      const original = randomBytes(size);
      const wrapped = original.toString('base64').replace(/.{76}/g, '$&\r\n');

      expect(bytesOf(decodeBase64Strict(Buffer.from(wrapped))).equals(original)).toBe(true);
    }
  });

  test('decodes beyond one chunk', () => {
    // Over 1 MiB of base64 characters, so the input is decoded in several chunks.
    const original = randomBytes(3 * 1024 * 1024);
    const encoded = original.toString('base64').replace(/.{64}/g, '$&\n');

    expect(bytesOf(decodeBase64Strict(Buffer.from(encoded))).equals(original)).toBe(true);
  });

  test.each([
    { label: 'colon', input: 'data:QQ==', problem: 'unexpected ":" at position 5' },
    { label: 'hyphen', input: 'QU-D', problem: 'unexpected "-" at position 3' },
    { label: 'underscore', input: 'QU_D', problem: 'unexpected "_" at position 3' },
    { label: 'NUL byte', input: 'QU\0D', problem: 'unexpected byte 0x00 at position 3' },
    { label: 'form feed', input: 'QU\fD', problem: 'unexpected byte 0x0c at position 3' },
    { label: 'vertical tab', input: 'QU\vD', problem: 'unexpected byte 0x0b at position 3' },
    { label: 'non-ASCII byte', input: 'QU\xe9D', problem: 'unexpected byte 0xe9 at position 3' },
    { label: 'letter after padding', input: 'QQ=A', problem: 'unexpected "A" at position 4' },
    { label: 'second group after padding', input: 'QQ==QUJD', problem: 'unexpected "Q" at position 5' },
    { label: 'length 1', input: 'Q', problem: 'length 1 is not a multiple of 4' },
    { label: 'length 2', input: 'QQ', problem: 'length 2 is not a multiple of 4' },
    { label: 'length 3', input: 'QUJ', problem: 'length 3 is not a multiple of 4' },
    { label: 'length 5', input: 'QUJDR', problem: 'length 5 is not a multiple of 4' },
    { label: 'three padding characters', input: 'Q===', problem: 'padding "=" may only end the data' },
    { label: 'four padding characters', input: '====', problem: 'padding "=" may only end the data' },
    { label: 'padding then more padding', input: 'QUJDQQ======', problem: 'padding "=" may only end the data' },
  ])('rejects $label', ({ input, problem }) => {
    expect(problemOf(decodeBase64Strict(Buffer.from(input, 'latin1')))).toBe(problem);
  });

  test('position counts white space', () => {
    expect(problemOf(decodeBase64Strict(Buffer.from('QUJD\n  RE!G')))).toBe('unexpected "!" at position 10');
  });
});

/** Deterministic pseudo-random numbers, so a failing input can be reproduced. */
function randomSource(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Reports whether all line feeds of `text` are the same distance apart. */
function hasRegularLines(text: string): boolean {
  const offsets = [...text.matchAll(/\n/g)].map((match) => match.index);
  return offsets.every((offset, i) => i < 2 || offset - offsets[i - 1]! === offsets[1]! - offsets[0]!);
}

describe('decodeBase64Fast', () => {
  test.each([
    { label: 'empty input', input: '', expected: '' },
    { label: 'white space only', input: ' \r\n\t', expected: '' },
    { label: 'one byte', input: 'QQ==', expected: 'A' },
    { label: 'two bytes', input: 'QUI=', expected: 'AB' },
    { label: 'CRLF line breaks', input: 'QUJD\r\nREVG\r\n', expected: 'ABCDEF' },
    { label: 'spaces and tabs', input: ' Q U\tJ D ', expected: 'ABC' },
    { label: 'line break in padding', input: 'QQ=\n=', expected: 'A' },
  ])('decodes $label', ({ input, expected }) => {
    expect(decodeBase64Fast(Buffer.from(input, 'latin1'))?.bytes.toString('latin1')).toBe(expected);
  });

  test.each([
    'data:QQ==',
    'QU-D',
    'QU_D',
    'QU\0D',
    'QU\fD',
    'QU\xe9D',
    'QQ=A',
    'QQ==QUJD',
    'Q',
    'QQ',
    'QUJDR',
    'Q===',
    '====',
    'QUJD!!!!',
  ])('declines %j', (input) => {
    expect(decodeBase64Fast(Buffer.from(input, 'latin1'))).toBeUndefined();
  });

  test('decodes groups split across steps', () => {
    // With lines of 77 characters, most step boundaries fall inside a group of four.
    const original = randomBytes(3 * 1024 * 1024 + 2);
    const encoded = original.toString('base64').replace(/.{77}/g, '$&\r\n');

    expect(decodeBase64Fast(Buffer.from(encoded))?.bytes.equals(original)).toBe(true);
  });

  test('decodes a CRLF split between two steps', () => {
    // Steps are 64 KiB long. Lines of 76 characters and CRLF after 17 spaces put a
    // carriage return at the last byte of the first step and its line feed in the next.
    const original = randomBytes(256 * 1024);
    const encoded = Buffer.from(' '.repeat(17) + original.toString('base64').replace(/.{76}/g, '$&\r\n'));
    expect(encoded[64 * 1024 - 1]).toBe(0x0d);

    expect(decodeBase64Fast(encoded)?.bytes.equals(original)).toBe(true);
  });

  test('decodes lines of changing length', () => {
    const original = randomBytes(200_000);
    const lines = original.toString('base64').match(/.{1,76}/g)!;
    // One short line in the middle, so later line feeds are found by search.
    lines[1000] = `${lines[1000]!.slice(0, 40)}\n${lines[1000]!.slice(40)}`;

    expect(decodeBase64Fast(Buffer.from(lines.join('\n')))?.bytes.equals(original)).toBe(true);
  });

  test('notices a late bad byte', () => {
    const encoded = Buffer.from(randomBytes(2 * 1024 * 1024).toString('base64'));
    encoded[1_500_000] = 0x21;

    expect(decodeBase64Fast(encoded)).toBeUndefined();
    expect(problemOf(decodeBase64Strict(encoded))).toBe('unexpected "!" at position 1500001');
  });

  test('agrees with strict decoder', () => {
    // Mostly valid base64 with white space, and now and then a byte that breaks it.
    const next = randomSource(42);
    const breakers = ['-', '_', '=', '!', '\f', '\xe9', '\0', 'Q'];
    for (let round = 0; round < 3000; round++) {
      let text = randomBytes(Math.floor(next() * 40)).toString('base64');
      text = text.replace(/./g, (char) => (next() < 0.08 ? `${char}${' \t\r\n'[Math.floor(next() * 4)]}` : char));
      if (next() < 0.5) {
        // The byte is inserted or replaces one, so the length may stay a multiple of 4.
        const at = Math.floor(next() * (text.length + 1));
        const replaced = next() < 0.5 ? 1 : 0;
        text = text.slice(0, at) + breakers[Math.floor(next() * breakers.length)] + text.slice(at + replaced);
      }
      const input = Buffer.from(text, 'latin1');
      const strict = decodeBase64Strict(Buffer.from(input));
      const fast = decodeBase64Fast(input);

      if (fast) expect({ text, bytes: bytesOf(strict).toString('hex') }).toEqual({ text, bytes: fast.bytes.toString('hex') });
      // Valid input takes the fast path unless it has non-canonical trailing bits, a
      // carriage return without a line feed, or line feeds at changing distances.
      const canonical = strict.ok && strict.bytes.toString('base64') === text.replace(/\s/g, '');
      if (canonical && !/\r(?!\n)/.test(text) && hasRegularLines(text)) {
        expect({ text, fast: fast !== undefined }).toEqual({ text, fast: true });
      }
    }
  });
});

/** Decodes `text` with a decoder fed in pieces of the given sizes. */
function decodeInPieces(text: string, sizes: number[]) {
  const input = Buffer.from(text, 'latin1');
  const decoder = new Base64Decoder(Math.floor(input.length / 4) * 3);
  for (let start = 0, i = 0; start < input.length; i++) {
    const size = sizes[i % sizes.length]!;
    decoder.push(input.subarray(start, start + size));
    start += size;
  }
  return decoder.end();
}

describe('Base64Decoder', () => {
  const original = randomBytes(5000);
  const encoded = original.toString('base64').replace(/.{76}/g, '$&\r\n');

  test.each([[1], [2], [3], [5, 7], [77], [78], [79], [4096]])('decodes pieces of %j bytes', (...sizes) => {
    expect(decodeInPieces(encoded, sizes)?.bytes.equals(original)).toBe(true);
  });

  test('hashes the decoded bytes', () => {
    const sha256 = createHash('sha256').update(original).digest('hex');

    expect(decodeInPieces(encoded, [100])?.sha256).toBe(sha256);
  });

  test('counts the line breaks', () => {
    expect(decodeInPieces(encoded, [100])?.lineBreaks).toBe(encoded.split('\n').length - 1);
    expect(decodeInPieces('\nQUJD\nREVG\n', [3])?.lineBreaks).toBe(3);
  });

  test('accepts CRLF split between pieces', () => {
    expect(decodeInPieces('QUJD\r\nREVG', [5, 100])?.bytes.toString()).toBe('ABCDEF');
  });

  test.each([
    { label: 'carriage return at the end', text: 'QUJD\r', sizes: [5] },
    { label: 'lone carriage return between pieces', text: 'QUJD\rREVG', sizes: [5, 100] },
    { label: 'padding then data in a later piece', text: 'QQ==QUJD', sizes: [4, 4] },
    { label: 'third padding in a later piece', text: 'Q===', sizes: [2, 2] },
    { label: 'bad byte in a later piece', text: 'QUJDREV!', sizes: [4, 4] },
  ])('declines $label', ({ text, sizes }) => {
    expect(decodeInPieces(text, sizes)).toBeUndefined();
  });

  test('small output does not keep the estimate', () => {
    const decoder = new Base64Decoder(1024 * 1024);
    decoder.push(Buffer.from('QUJD'));

    expect(decoder.end()?.bytes.buffer.byteLength).toBeLessThan(1024 * 1024);
  });
});

describe('decodeBase64Text', () => {
  test('decodes Latin-1 text', () => {
    expect(bytesOf(decodeBase64Text('SGVs\nbG8=')).toString()).toBe('Hello');
  });

  test.each([
    { label: 'Latin-1 letter', input: 'QUJé', problem: 'unexpected byte 0xe9 at position 4' },
    { label: 'euro sign', input: 'QU€D', problem: 'unexpected "€" at position 3' },
    { label: 'no-break space', input: 'QUJD\u00a0', problem: 'unexpected byte 0xa0 at position 5' },
    { label: 'emoji', input: 'QQ==\u{1F600}', problem: 'unexpected "\u{1F600}" at position 5' },
  ])('rejects $label', ({ input, problem }) => {
    expect(problemOf(decodeBase64Text(input))).toBe(problem);
  });
});
