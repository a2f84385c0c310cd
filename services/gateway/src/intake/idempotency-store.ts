import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { TicketOutcome } from './outcome';

/** State of one Idempotency-Key, shared by all gateways through Redis. */
export type IdempotencyRecord =
  /** The first request with this key is still running. */
  | { state: 'processing'; bodyHash: string }
  /** The first request ran out of time while tickets were still being processed. */
  | { state: 'waiting'; bodyHash: string; outcomes: TicketOutcome[] }
  | { state: 'done'; bodyHash: string; status: number; body: string };

export type ClaimResult =
  | { kind: 'claimed' }
  | { kind: 'conflict' }
  | { kind: 'existing'; record: IdempotencyRecord };

const POLL_MS = 100;

export function hashBody(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * Remembers the answer given to each (API key, Idempotency-Key) pair for a configured
 * time. The first request claims the key with SET NX, so among concurrent duplicates
 * exactly one processes the tickets and the others wait for its answer.
 */
export class IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly ttlSeconds: number,
  ) {}

  private key(keyLabel: string, idempotencyKey: string): string {
    const digest = createHash('sha256').update(`${keyLabel}\n${idempotencyKey}`).digest('hex');
    return `${this.keyPrefix}idempotency:${digest}`;
  }

  async claim(keyLabel: string, idempotencyKey: string, bodyHash: string): Promise<ClaimResult> {
    const key = this.key(keyLabel, idempotencyKey);
    const record: IdempotencyRecord = { state: 'processing', bodyHash };
    const set = await this.redis.set(key, JSON.stringify(record), 'EX', this.ttlSeconds, 'NX');
    if (set === 'OK') return { kind: 'claimed' };

    const existing = await this.read(key);
    if (!existing) return this.claim(keyLabel, idempotencyKey, bodyHash);
    if (existing.bodyHash !== bodyHash) return { kind: 'conflict' };
    return { kind: 'existing', record: existing };
  }

  private async read(key: string): Promise<IdempotencyRecord | undefined> {
    const raw = await this.redis.get(key);
    return raw === null ? undefined : (JSON.parse(raw) as IdempotencyRecord);
  }

  async save(keyLabel: string, idempotencyKey: string, record: IdempotencyRecord): Promise<void> {
    await this.redis.set(this.key(keyLabel, idempotencyKey), JSON.stringify(record), 'EX', this.ttlSeconds);
  }

  /** Forgets the key, so that a retry processes the request again. */
  async release(keyLabel: string, idempotencyKey: string): Promise<void> {
    await this.redis.del(this.key(keyLabel, idempotencyKey));
  }

  /**
   * Waits until the request holding the key has finished or `timeoutMs` has passed.
   * Returns the record then, or undefined when the key was released.
   */
  async waitWhileProcessing(keyLabel: string, idempotencyKey: string, timeoutMs: number) {
    const key = this.key(keyLabel, idempotencyKey);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const record = await this.read(key);
      if (!record || record.state !== 'processing' || Date.now() >= deadline) return record;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
