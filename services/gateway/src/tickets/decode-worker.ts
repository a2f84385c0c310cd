/**
 * Entry point of the gateway's decode thread (see `DecodeThread`). It decodes attachment
 * data straight from request bodies that the main thread fills in shared memory, so the
 * main thread only receives bytes while a large upload arrives.
 */
import { parentPort } from 'node:worker_threads';
import { Base64Decoder } from './base64';
import type { DecodeReply, DecodeRequest } from './decode-messages';

/** Results of at least this size are always in memory of their own, never in the pool. */
const TRANSFER_FROM_BYTES = 64 * 1024;

const port = parentPort!;
/**
 * Open sessions. They keep no reference to a body. A body arrives with each push and is
 * garbage right after it, so its shared memory is freed once the main thread lets go of
 * it, not at this thread's next full collection.
 */
const sessions = new Map<number, Base64Decoder>();

port.on('message', (message: DecodeRequest) => {
  if (message.type === 'open') {
    sessions.set(message.session, new Base64Decoder(message.capacity));
    return;
  }
  const decoder = sessions.get(message.session);
  if (!decoder) return;
  if (message.type === 'push') {
    decoder.push(Buffer.from(message.body, message.start, message.end - message.start));
    return;
  }

  sessions.delete(message.session);
  if (message.type === 'discard') return;
  const decoded = decoder.end();
  if (!decoded) {
    port.postMessage({ session: message.session } satisfies DecodeReply);
    return;
  }
  // Large results own their memory, which is transferred to the main thread without a
  // copy. Small ones may share Node's buffer pool, which must stay here, so they are copied.
  const { bytes, sha256, lineBreaks } = decoded;
  const owned = bytes.length >= TRANSFER_FROM_BYTES && bytes.byteOffset === 0;
  const memory = owned ? bytes.buffer : new Uint8Array(bytes).buffer;
  const reply: DecodeReply = { session: message.session, bytes: memory as ArrayBuffer, length: bytes.length, sha256, lineBreaks };
  port.postMessage(reply, [memory as ArrayBuffer]);
});
