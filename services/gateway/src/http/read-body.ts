import type { Request } from 'express';
import { RequestError } from '../errors';

function tooLarge(limit: number): RequestError {
  return new RequestError(413, `request body is larger than the limit of ${limit} bytes`, [], {
    Connection: 'close',
  });
}

/**
 * Called after each piece of a body with a declared length arrives: `buffer` has the
 * declared length and its first `received` bytes are filled.
 */
export type BodyProgress = (buffer: Buffer, received: number) => void;

export interface ReadBodyOptions {
  /** Lets work on the body start before it has fully arrived. */
  onProgress?: BodyProgress;
  /** A body with at least this many declared bytes goes into memory that worker threads can share. */
  sharedFrom?: number;
}

/**
 * Reads the raw request body into one Buffer, rejecting it with 413 as soon as the
 * declared Content-Length or the bytes received so far pass `limit`, so an oversized
 * body is never held in memory.
 */
export async function readBody(req: Request, limit: number, options: ReadBodyOptions = {}): Promise<Buffer> {
  const { onProgress, sharedFrom = Infinity } = options;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);

  // With a declared length the body goes straight into one buffer, so it is held once.
  if (Number.isInteger(declared) && declared > 0) {
    const body = declared >= sharedFrom ? Buffer.from(new SharedArrayBuffer(declared)) : Buffer.allocUnsafe(declared);
    let received = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      if (received + chunk.length > declared) throw tooLarge(limit);
      chunk.copy(body, received);
      received += chunk.length;
      onProgress?.(body, received);
    }
    return body.subarray(0, received);
  }

  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received);
}
