// The 64-bit helpers at the edges where the two 32-bit halves meet (bit 31 / bit 32),
// and the JSON hex form (docs/vectors.md: "0x…", either case in, lower case out).
// Every expected value is worked out by hand from the bit positions.
import { describe, expect, it } from 'vitest';
import {
  andNot, bit, eq, field, fitsNumber, fromNumber, isZero, mask, parseHex, toHex, u64, withBit, ZERO,
} from './u64.ts';

describe('u64 bit helpers across the half boundary', () => {
  it('mask sets low-half, high-half and straddling ranges', () => {
    expect(toHex(mask(3, 0))).toBe('0xf');
    expect(toHex(mask(31, 31))).toBe('0x80000000');
    expect(toHex(mask(32, 32))).toBe('0x100000000');
    // Bits 35..28: four in each half.
    expect(toHex(mask(35, 28))).toBe('0xff0000000');
  });

  it('bit reads bit 0, 31, 32 and 63 from the right half', () => {
    expect(bit(u64(0, 1), 0)).toBe(true);
    expect(bit(u64(0, 8), 3)).toBe(true);
    expect(bit(u64(0, 0x8000_0000), 31)).toBe(true);
    expect(bit(u64(1, 0), 32)).toBe(true);
    expect(bit(u64(1, 0), 0)).toBe(false);
    expect(bit(ZERO, 40)).toBe(false);
  });

  it('withBit sets bit 32 in the high half, not bit 0', () => {
    expect(toHex(withBit(ZERO, 32, true))).toBe('0x100000000');
    expect(toHex(withBit(u64(1, 1), 32, false))).toBe('0x1');
  });

  it('field takes up to 32 bits, from either half, and refuses wider fields by name', () => {
    expect(field(u64(0, 0xffff_ffff), 31, 0)).toBe(0xffff_ffff);
    expect(field(u64(0x1, 0x2345_6789), 35, 4)).toBe(0x1234_5678);
    expect(() => field(ZERO, 32, 0)).toThrow('field wider than 32 bits');
  });

  it('eq, andNot and isZero look at both halves', () => {
    expect(eq(u64(0, 1), u64(0, 2))).toBe(false);
    expect(eq(u64(1, 0), u64(2, 0))).toBe(false);
    expect(eq(u64(1, 2), u64(1, 2))).toBe(true);
    expect(toHex(andNot(u64(0xff, 0xff), u64(0xf, 0xf)))).toBe('0xf0000000f0');
    expect(isZero(u64(1, 0))).toBe(false);
    expect(isZero(u64(0, 1))).toBe(false);
    expect(isZero(ZERO)).toBe(true);
  });
});

describe('u64 numbers and hex text', () => {
  it('fits numbers up to 2^53 - 1 and names a number it cannot take', () => {
    expect(fitsNumber(fromNumber(2 ** 53 - 1))).toBe(true);
    expect(fitsNumber(u64(0x20_0000, 0))).toBe(false);
    expect(() => fromNumber(-1)).toThrow('not a non-negative safe integer: -1');
    expect(() => fromNumber(0.5)).toThrow(RangeError);
  });

  it('parses only a whole 0x… string of 1 to 16 digits, in either case', () => {
    expect(toHex(parseHex('0X1F')!)).toBe('0x1f');
    expect(toHex(parseHex('0xFFFFFFFFFFFFFFFF')!)).toBe('0xffffffffffffffff');
    expect(parseHex('x0x10')).toBeUndefined();
    expect(parseHex(' 0x10')).toBeUndefined();
    expect(parseHex('0x10 ')).toBeUndefined();
  });

  it('writes lower case without padding, padding the low half under a high half', () => {
    expect(toHex(ZERO)).toBe('0x0');
    expect(toHex(u64(1, 0))).toBe('0x100000000');
    expect(toHex(u64(0xab, 0xc))).toBe('0xab0000000c');
  });
});
