import { BlockList, isIP } from 'node:net';

export interface ApiKeyEntry {
  label: string;
  key: string;
}

const LABEL = /^[A-Za-z0-9_.-]{1,64}$/;

/** Parses `label:key,label:key`. The key is everything after the first colon. */
export function parseApiKeys(raw: string): ApiKeyEntry[] {
  const entries: ApiKeyEntry[] = [];
  for (const item of raw.split(',')) {
    const trimmed = item.trim();
    if (trimmed === '') continue;

    const colon = trimmed.indexOf(':');
    if (colon <= 0 || colon === trimmed.length - 1) {
      throw new Error(`expected label:key, got an entry without a label or key`);
    }
    const label = trimmed.slice(0, colon);
    if (!LABEL.test(label)) {
      throw new Error(`label "${label}" may only use letters, digits, "_", "." and "-"`);
    }
    if (entries.some((entry) => entry.label === label)) {
      throw new Error(`label "${label}" is used twice`);
    }
    entries.push({ label, key: trimmed.slice(colon + 1) });
  }
  return entries;
}

/** Adds one address or CIDR block to `blockList`, throwing on anything else. */
export function addAddressRule(blockList: BlockList, rule: string): void {
  const [address, prefix, extra] = rule.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || extra !== undefined) {
    throw new Error(`"${rule}" is not an IP address or CIDR block`);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (prefix === undefined) {
    blockList.addAddress(address!, type);
    return;
  }
  const bits = Number(prefix);
  if (!/^\d+$/.test(prefix) || bits > (family === 4 ? 32 : 128)) {
    throw new Error(`"${rule}" has an invalid prefix length`);
  }
  blockList.addSubnet(address!, bits, type);
}

/** Parses `label=CIDR CIDR;label=CIDR` into one BlockList per key label. */
export function parseAllowLists(raw: string): Map<string, BlockList> {
  const lists = new Map<string, BlockList>();
  for (const group of raw.split(';')) {
    if (group.trim() === '') continue;

    const equals = group.indexOf('=');
    if (equals <= 0) throw new Error(`expected label=CIDR, got "${group.trim()}"`);
    const label = group.slice(0, equals).trim();
    const rules = group.slice(equals + 1).split(/[\s,]+/).filter((rule) => rule !== '');
    if (rules.length === 0) throw new Error(`allow-list of "${label}" is empty`);

    const blockList = new BlockList();
    for (const rule of rules) addAddressRule(blockList, rule);
    lists.set(label, blockList);
  }
  return lists;
}
