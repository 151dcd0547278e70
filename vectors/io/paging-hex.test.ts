import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHex, toHex } from '../../model/paging/u64.ts';
import { hex } from './paging.ts';

describe('hex', () => {
  it('parses exactly what the model\'s parseHex parses, in either case', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.boolean(), (b, upper) => {
      const text = upper ? '0X' + b.toString(16).toUpperCase() : '0x' + b.toString(16);
      expect(hex(text)).toEqual(parseHex(text));
      expect(toHex(hex(text))).toBe('0x' + b.toString(16));
    }));
    expect(hex('0x0000000000000001')).toEqual({ hi: 0, lo: 1 });
  });

  it('throws a TypeError on anything else', () => {
    for (const bad of ['', '0x', '12', '0x1g', '0x10000000000000000', ' 0x1', '0x1 ']) expect(() => hex(bad)).toThrow(TypeError);
    expect(() => hex(7 as unknown as string)).toThrow(/not a 0x… value: 7/);
  });
});
