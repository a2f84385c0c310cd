import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP, type BlockList } from 'node:net';
import type { ApiKeyEntry } from '@ticket-intake/shared';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * The accepted API keys. Only SHA-256 digests are kept, and a lookup compares the
 * presented key with every key in constant time, so neither the time taken nor an
 * early exit tells a caller how close a guess was or which key it matched.
 */
export class KeyRing {
  private readonly keys: { label: string; digest: Buffer }[];

  constructor(
    entries: ApiKeyEntry[],
    private readonly allowLists: Map<string, BlockList> = new Map(),
  ) {
    this.keys = entries.map((entry) => ({ label: entry.label, digest: digest(entry.key) }));
  }

  /** Returns the label of the matching key, or undefined. */
  identify(presented: string): string | undefined {
    const presentedDigest = digest(presented);
    let label: string | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(key.digest, presentedDigest)) label = key.label;
    }
    return label;
  }

  /** Checks the caller's address against the key's allow-list; keys without one allow all. */
  allows(label: string, address: string): boolean {
    const list = this.allowLists.get(label);
    if (!list) return true;

    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    const plain = mapped ? mapped[1]! : address;
    const family = isIP(plain);
    if (family === 0) return false;
    return list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }
}
