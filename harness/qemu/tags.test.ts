import { describe, expect, it } from 'vitest';
import { ALPHABET, tagBytes, untaggedQwords } from './tags.ts';

/** Single-byte opcodes that are invalid in 64-bit mode (SDM Vol. 2, opcode map, "i64"). */
const INVALID_IN_64 = new Set([0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0x62, 0x82, 0xce, 0xd4, 0xd5, 0xd6, 0xea, 0x9a]);

describe('runner tags', () => {
  it('use 16 distinct bytes that are all invalid opcodes in 64-bit mode', () => {
    expect(new Set(ALPHABET).size).toBe(16);
    for (const b of ALPHABET) expect(INVALID_IN_64.has(b), b.toString(16)).toBe(true);
  });

  it('read as a not-present entry and, at any offset, as a descriptor that is not a present segment', () => {
    for (const page of [1, 0x9e, 0x100, 0x7fff, 0x12345]) {
      const t = tagBytes(page);
      expect(t[0]! & 1).toBe(0); // P = 0
      // access byte of a descriptor read at any byte offset: present only for system types
      for (const b of t) expect((b & 0x80) === 0 || (b & 0x10) === 0).toBe(true);
    }
  });

  it('tell pages apart and let a parity nibble restore one erased nibble byte', () => {
    const seen = new Set<string>();
    for (let p = 0; p < 0x8000; p++) seen.add(Buffer.from(tagBytes(p)).toString('hex'));
    expect(seen.size).toBe(0x8000);
    const t = tagBytes(0xabcde);
    const nib = (b: number) => ALPHABET.indexOf(b);
    const xor = [1, 2, 3, 4, 6].map((i) => nib(t[i]!)).reduce((a, b) => a ^ b, 0);
    expect(xor).toBe(nib(t[7]!));
  });

  it('finds qwords that are not their page\'s tag', () => {
    const ram = new Uint8Array(0x3000);
    for (let p = 1; p < 3; p++) for (let q = 0; q < 4096; q += 8) ram.set(tagBytes(p), p * 4096 + q);
    expect(untaggedQwords(ram, [[0x1000, 0x3000]])).toEqual([]);
    ram[0x2010] = 0;
    expect(untaggedQwords(ram, [[0x1000, 0x3000]])).toEqual([0x2010]);
  });
});
