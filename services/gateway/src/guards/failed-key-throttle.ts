import type { Redis } from 'ioredis';

/**
 * Counts requests with a wrong API key per caller address in fixed windows, shared by
 * all gateways. An address over the limit is turned away before its key is checked,
 * which makes guessing keys slow.
 */
export class FailedKeyThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly limit: number,
    private readonly windowSeconds: number,
  ) {}

  private key(address: string): string {
    return `${this.keyPrefix}failed-key:${address}`;
  }

  /**
   * Returns the seconds the address must wait, or 0 when it may try a key. The remaining
   * time is read only for an address over the limit, so most requests cost one GET.
   */
  async blockedFor(address: string): Promise<number> {
    const key = this.key(address);
    const count = await this.redis.get(key);
    if (Number(count ?? 0) < this.limit) return 0;
    return Math.max(1, await this.redis.ttl(key));
  }

  async recordFailure(address: string): Promise<void> {
    const key = this.key(address);
    const results = await this.redis.multi().incr(key).expire(key, this.windowSeconds, 'NX').exec();
    if (!results) throw new Error('recording a failed API key was aborted');
  }
}
