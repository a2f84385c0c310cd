const ATOM = "[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?';
const TOP_LEVEL = '(?:\\p{L}{2,63}|xn--[A-Za-z0-9-]{1,59})';

const ADDRESS = new RegExp(`^(${ATOM}(?:\\.${ATOM})*)@((?:${LABEL}\\.)+${TOP_LEVEL})$`, 'u');

/**
 * Checks the dot-atom form of an address (RFC 5322 section 3.4.1) with a domain of at
 * least two labels. Plus-addressing, subdomains, mixed case and international letters
 * pass; quoted local parts and IP-literal domains do not, as helpdesks cannot mail them
 * reliably.
 */
export function isValidEmail(address: string): boolean {
  if (address.length > 254) return false;
  const match = ADDRESS.exec(address);
  return match !== null && match[1]!.length <= 64;
}
