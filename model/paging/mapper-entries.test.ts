import { describe, expect, it } from 'vitest';
import { isHugeLeaf, isLeaf } from './mapper-entries.ts';
import { u64 } from './u64.ts';

describe('reading entries', () => {
  it('bit 7 of a PTE is PAT, not PS: a PTE is a 4 KiB leaf, never a huge one (PG.ENTRY.CACHE_BITS)', () => {
    const entry = u64(0, 0x4000_0083); // P | R/W | bit 7, frame 0x40000000
    expect(isLeaf(entry, 1)).toBe(true);
    expect(isHugeLeaf(entry, 1)).toBe(false);
    // The same bits in a PDE or PDPTE map a 2 MiB or 1 GiB page (PG.WALK.PDE.PS, PG.WALK.PDPTE.PS).
    expect(isHugeLeaf(entry, 2)).toBe(true);
    expect(isHugeLeaf(entry, 3)).toBe(true);
  });
});
