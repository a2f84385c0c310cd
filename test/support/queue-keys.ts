import { Redis } from 'ioredis';

/**
 * Removes every key of a test's queue from Redis: BullMQ's keys and the rate-limit,
 * wrong-key and idempotency keys that the gateway keeps under the same prefix. A
 * failure is printed, not thrown, so it does not hide a test's own result, but it stays
 * visible.
 */
export async function removeQueueKeys(redisUrl: string, queueName: string, prefix = 'bull'): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:${queueName}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch (error) {
    console.warn(`removing the keys of queue ${queueName} failed:`, error);
  } finally {
    redis.disconnect();
  }
}
