import { parseAllowLists, parseApiKeys } from '@ticket-intake/shared';
import { KeyRing } from '../../services/gateway/src/auth/key-ring';

describe('KeyRing', () => {
  const ring = new KeyRing(
    [
      { label: 'shop', key: 'alpha-key' },
      { label: 'office', key: 'beta-key' },
    ],
    parseAllowLists('office=10.0.0.0/8 ::1 2001:db8::/32'),
  );

  test.each([
    ['alpha-key', 'shop'],
    ['beta-key', 'office'],
    ['alpha-ke', undefined],
    ['alpha-key ', undefined],
    ['', undefined],
  ])('identifies %j as %s', (presented, label) => {
    expect(ring.identify(presented)).toBe(label);
  });

  test.each([
    ['shop', '203.0.113.9', true],
    ['office', '10.20.30.40', true],
    ['office', '::ffff:10.0.0.1', true],
    ['office', '::1', true],
    ['office', '2001:db8:1::5', true],
    ['office', '11.0.0.1', false],
    ['office', '2001:db9::1', false],
    ['office', 'not-an-address', false],
  ])('allows %s from %s: %s', (label, address, allowed) => {
    expect(ring.allows(label, address)).toBe(allowed);
  });
});

describe('key settings', () => {
  test('parses labels and keys with colons', () => {
    expect(parseApiKeys('shop:abc, office:x:y')).toEqual([
      { label: 'shop', key: 'abc' },
      { label: 'office', key: 'x:y' },
    ]);
  });

  test.each([
    ['nolabel', /label:key/],
    [':key', /label:key/],
    ['shop:', /label:key/],
    ['bad label:key', /may only use/],
    ['a:1,a:2', /used twice/],
  ])('rejects %j', (raw, message) => {
    expect(() => parseApiKeys(raw)).toThrow(message);
  });

  test.each([
    ['office=10.0.0.0/33', /invalid prefix length/],
    ['office=10.0.0', /not an IP address/],
    ['office=', /empty/],
    ['=10.0.0.0/8', /label=CIDR/],
  ])('rejects allow-list %j', (raw, message) => {
    expect(() => parseAllowLists(raw)).toThrow(message);
  });
});
