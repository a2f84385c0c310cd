import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { Base64Decoder, type DecodedData } from './base64';
import type { DecodeReply, DecodeRequest } from './decode-messages';

/** A decoder of one `<data>` element's content, fed while the body arrives. */
export interface DataDecoder {
  push(content: Buffer): void;
  /** Returns the result, or undefined when the content is not valid base64. */
  end(): DecodedData | undefined | Promise<DecodedData | undefined>;
  /** Drops the work, for content that is not taken out or a request that failed. */
  discard(): void;
}

/** Opens a decoder for the data that starts at `start` in `body`. */
export type DecoderFactory = (body: Buffer, start: number) => DataDecoder;

/** Decodes on the calling thread. */
export const decodeInline: DecoderFactory = (body, start) => {
  const decoder = new Base64Decoder(Math.floor((body.length - start) / 4) * 3);
  return { push: (content) => decoder.push(content), end: () => decoder.end(), discard: () => undefined };
};

/**
 * Returns the compiled worker script. Under ts-jest this module runs from its TypeScript
 * source, and a worker thread needs JavaScript, so the build output is used then.
 */
function workerScript(): string {
  const beside = path.join(__dirname, 'decode-worker.js');
  return existsSync(beside) ? beside : path.join(__dirname, '..', '..', 'dist', 'tickets', 'decode-worker.js');
}

/**
 * One worker thread that decodes the attachment data of request bodies held in shared
 * memory, so that decoding a large upload runs beside the event loop instead of on it.
 * When the thread fails, its open sessions end without a result. The request then
 * decodes the data with the strict decoder on the main thread: slower, with the same
 * outcome. The next session starts a new thread.
 */
export class DecodeThread {
  private worker: Worker | undefined;
  /** Counts threads started, so a session never talks to a thread that did not open it. */
  private generation = 0;
  private nextSession = 1;
  private readonly waiting = new Map<number, (result: DecodedData | undefined) => void>();

  constructor(private readonly logger: Logger) {}

  /** Decodes on the thread when `body` is in shared memory, else on the calling thread. */
  readonly open: DecoderFactory = (body, start) => {
    if (!(body.buffer instanceof SharedArrayBuffer)) return decodeInline(body, start);

    const session = this.nextSession++;
    const worker = this.worker ?? this.start();
    const generation = this.generation;
    const capacity = Math.floor((body.length - start) / 4) * 3;
    const memory = body.buffer;
    this.post(worker, { type: 'open', session, capacity });
    const alive = () => this.generation === generation;

    return {
      push: (content) => {
        if (!alive()) return;
        this.post(worker, { type: 'push', session, body: memory, start: content.byteOffset, end: content.byteOffset + content.length });
      },
      end: () => {
        if (!alive()) return undefined;
        return new Promise<DecodedData | undefined>((resolve) => {
          this.waiting.set(session, resolve);
          this.post(worker, { type: 'end', session });
        });
      },
      discard: () => {
        if (alive()) this.post(worker, { type: 'discard', session });
      },
    };
  };

  /** Stops the thread; sessions still open end without a result. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.stopped(worker);
    await worker?.terminate();
  }

  private start(): Worker {
    const worker = new Worker(workerScript());
    // The thread must not keep the process alive on its own.
    worker.unref();
    worker.on('message', (reply: DecodeReply) => this.settle(reply));
    worker.on('error', (error) => {
      this.logger.error({ err: error }, 'decode thread failed; its open attachments are decoded on the main thread');
    });
    worker.on('exit', () => this.stopped(worker));
    this.worker = worker;
    this.generation++;
    return worker;
  }

  private post(worker: Worker, message: DecodeRequest): void {
    worker.postMessage(message);
  }

  private settle(reply: DecodeReply): void {
    const resolve = this.waiting.get(reply.session);
    if (!resolve) return;
    this.waiting.delete(reply.session);
    if (!reply.bytes) {
      resolve(undefined);
      return;
    }
    resolve({ bytes: Buffer.from(reply.bytes, 0, reply.length), sha256: reply.sha256!, lineBreaks: reply.lineBreaks! });
  }

  private stopped(worker: Worker | undefined): void {
    if (!worker || this.worker !== worker) return;
    this.worker = undefined;
    this.generation++;
    for (const resolve of this.waiting.values()) resolve(undefined);
    this.waiting.clear();
  }
}
