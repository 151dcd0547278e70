// Sparse physical memory (memory.ts): little-endian bytes and qwords across frame
// boundaries, zero where never written (docs/vectors.md: "every other byte of physical
// memory reads as zero"), and listings in ascending address order.
import { describe, expect, it } from 'vitest';
import type { PhysAddr } from './addr.ts';
import { PhysMemory } from './memory.ts';
import { toHex, u64 } from './u64.ts';

const pa = (n: number) => n as PhysAddr;

describe('PhysMemory bytes and qwords', () => {
  it('reads zero everywhere before any write, without allocating storage', () => {
    const m = new PhysMemory();
    expect(toHex(m.read64(pa(0xf_ffff_ffff_fff8)))).toBe('0x0');
    expect(m.readByte(pa(0x1234))).toBe(0);
    expect([...m.readBytes(pa(0xffe), 4)]).toEqual([0, 0, 0, 0]);
    expect(m.frameCount).toBe(0);
  });

  it('writes bytes across a frame boundary and touches no byte past them', () => {
    const m = new PhysMemory();
    m.write64(pa(0x2000), u64(0, 0xffff_ffff));
    m.writeBytes(pa(0x1ffe), new Uint8Array([1, 2, 3, 4]));
    // Bytes 0x1ffe..0x2001 are 1..4; 0x2002 and 0x2003 keep their 0xff.
    expect([...m.readBytes(pa(0x1ffc), 8)]).toEqual([0, 0, 1, 2, 3, 4, 0xff, 0xff]);
    // Little-endian: byte 0x1ffe is bits 55:48 of the qword at 0x1ff8.
    expect(toHex(m.read64(pa(0x1ff8)))).toBe('0x201000000000000');
    expect(toHex(m.read64(pa(0x2000)))).toBe('0xffff0403');
    expect(m.framesInUse()).toEqual([1, 2]);
  });

  it('refuses an unaligned qword write, naming the address', () => {
    const m = new PhysMemory();
    expect(() => m.write64(pa(0x1004), u64(0, 1))).toThrow('qword access at unaligned physical address 0x1004');
    expect(() => m.writeLo(pa(0x2002), 1)).toThrow('0x2002');
  });
});

describe('PhysMemory listings', () => {
  // Frames written from the top down, so storage order is the reverse of address order.
  function topDown(): PhysMemory {
    const m = new PhysMemory();
    m.write64(pa(0x9000), u64(0, 0x9));
    m.write64(pa(0x3008), u64(0, 0x5));
    m.write64(pa(0x3000), u64(0x1, 0)); // only the high half is non-zero
    return m;
  }

  it('lists every non-zero qword, a high-half-only one included, in ascending address order', () => {
    expect([...topDown().nonZeroQwords()].map(([a, v]) => `0x${a.toString(16)}=${toHex(v)}`))
      .toEqual(['0x3000=0x100000000', '0x3008=0x5', '0x9000=0x9']);
  });

  it('lists the frames in use in ascending order', () => {
    expect(topDown().framesInUse()).toEqual([3, 9]);
  });
});
