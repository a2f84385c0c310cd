import type { Redis } from 'ioredis';

/**
 * Token bucket kept in one Redis hash per key, so every gateway draws from the same
 * bucket. Redis TIME is the clock, so gateways with skewed clocks agree. Returns
 * {allowed (1 or 0), milliseconds until the next token}.
 */
const TAKE_TOKEN = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local allowed = 0
local waitMs = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  waitMs = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, waitMs}
`;

export interface RateDecision {
  allowed: boolean;
  /** Seconds until a request would be allowed again; 0 when allowed. */
  retryAfterSeconds: number;
}

export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  get enabled(): boolean {
    return this.perSecond > 0;
  }

  /** Takes one token from the bucket of `label`. */
  async take(label: string): Promise<RateDecision> {
    if (!this.enabled) return { allowed: true, retryAfterSeconds: 0 };
    const [allowed, waitMs] = (await this.redis.eval(
      TAKE_TOKEN,
      1,
      `${this.keyPrefix}rate:${label}`,
      this.perSecond,
      this.burst,
    )) as [number, number];
    return { allowed: allowed === 1, retryAfterSeconds: allowed === 1 ? 0 : Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}
