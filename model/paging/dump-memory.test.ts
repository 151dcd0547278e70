// Memory backed by a raw dump (dump-memory.ts, as `x64spec walk --dump` uses it): byte i
// is physical address base + i, whole 4-KiB frames only; a read outside is recorded;
// a write goes to a private copy of its frame and never into the dump.
import { describe, expect, it } from 'vitest';
import type { PhysAddr } from './addr.ts';
import { DumpMemory } from './dump-memory.ts';
import { toHex } from './u64.ts';

const pa = (n: number) => n as PhysAddr;
const BASE = 0x10000;

/** Two frames of dump, with a marker qword in each: 0x11 at offset 0x8, 0x22 at 0x1008. */
function twoFrames(bytes: Uint8Array = new Uint8Array(0x2000)): Uint8Array {
  bytes[0x8] = 0x11;
  bytes[0x1008] = 0x22;
  return bytes;
}

describe('DumpMemory layout', () => {
  it('refuses a base that is not 4-KiB aligned, naming it', () => {
    expect(() => new DumpMemory(new Uint8Array(0x1000), 0x1800)).toThrow('dump base 0x1800 is not 4-KiB aligned');
  });

  it('serves both frames of an aligned dump and records a read just past its end', () => {
    const m = new DumpMemory(twoFrames(), BASE);
    expect(m.size).toBe(0x2000);
    expect(toHex(m.read64(pa(BASE + 0x8)))).toBe('0x11');
    expect(toHex(m.read64(pa(BASE + 0x1008)))).toBe('0x22');
    expect(m.outsideReads).toEqual([]);
    expect(toHex(m.read64(pa(BASE + 0x2000)))).toBe('0x0');
    expect(m.outsideReads).toEqual([BASE + 0x2000]);
  });

  it('serves a dump that does not start on a 4-byte boundary of its buffer, and no more of it', () => {
    const bytes = twoFrames(new Uint8Array(0x2003).subarray(3));
    const m = new DumpMemory(bytes, BASE);
    expect(m.size).toBe(0x2000);
    expect(toHex(m.read64(pa(BASE + 0x1008)))).toBe('0x22');
    m.read64(pa(BASE + 0x2000));
    expect(m.outsideReads).toEqual([BASE + 0x2000]);
  });

  it('rounds a dump that ends inside a word up to whole words (the missing bytes read as zero)', () => {
    // 0x1ffe bytes: the last frame lacks its final two bytes; size rounds up to 0x2000.
    const bytes = twoFrames().subarray(0, 0x1ffe);
    bytes[0x1ff8] = 0x33;
    const m = new DumpMemory(bytes, BASE);
    expect(m.size).toBe(0x2000);
    expect(toHex(m.read64(pa(BASE + 0x1ff8)))).toBe('0x33');
    expect(m.outsideReads).toEqual([]);
  });

  it('gives a middle frame of the dump as exactly its 1024 words, read in place from the dump', () => {
    // A dump as large as guest RAM must not be copied when it can be viewed: here it
    // starts 8 bytes into its buffer, a whole-word offset.
    const bytes = new Uint8Array(8 + 0x3000).subarray(8);
    bytes[0x1000] = 0x44;
    const words = new DumpMemory(bytes, BASE).frameWords(pa(BASE + 0x1000))!;
    expect([words.length, words[0]]).toEqual([1024, 0x44]);
    expect(words.buffer).toBe(bytes.buffer);
  });

  it('readBytes up to the last byte of the dump reads nothing outside it', () => {
    const m = new DumpMemory(twoFrames(), BASE);
    expect([...m.readBytes(pa(BASE + 0x1006), 0xffa)].slice(0, 3)).toEqual([0, 0, 0x22]);
    expect(m.outsideReads).toEqual([]);
  });
});

describe('DumpMemory writes', () => {
  it('go to a private copy of the whole frame; the dump bytes never change', () => {
    const bytes = twoFrames();
    bytes[0x10] = 0x7;
    const m = new DumpMemory(bytes, BASE);
    m.writeLo(pa(BASE + 0x8), 0x21);
    expect(bytes[0x8]).toBe(0x11);
    expect(toHex(m.read64(pa(BASE + 0x8)))).toBe('0x21');
    // The copy holds the frame's other qwords as the dump had them, and nothing beyond the frame.
    expect(m.framesInUse()).toEqual([BASE / 0x1000]);
    expect([...m.nonZeroQwords()].map(([a, v]) => `0x${a.toString(16)}=${toHex(v)}`)).toEqual(['0x10008=0x21', '0x10010=0x7']);
  });
});
