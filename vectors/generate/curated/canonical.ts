import { ALL_ACCESS_TYPES, SUP_READ, USER_READ, accessOptions } from '../accesses.ts';
import { COMMON_PROFILES } from '../profiles.ts';
import { USER_ALL, type CuratedCase, type CuratedGroup } from './types.ts';


/** Non-canonical addresses (#GP, no walk) and the canonical edges on both sides of the hole. */
export const group: CuratedGroup = {
  name: 'canonical',
  description: 'non-canonical addresses at both edges of the hole and with single high bits (every access type: #GP, no walk, no A update) and the highest and lowest canonical pages of both halves',
  profiles: COMMON_PROFILES,
  cases() {
    const out: CuratedCase[] = [];
    // [bits 63:48, PML4 index, words]: the valid chain is there, only the address is wrong.
    const nonCanonical: [number, number, string][] = [
      [0x0000, 256, 'bit 47 set with bits 63:48 clear'],
      [0xffff, 255, 'bit 47 clear with bits 63:48 set'],
      [0x8000, 0, 'only bit 63 set'],
      [0x0001, 0, 'only bit 48 set'],
      [0xfffe, 511, 'bit 48 clear in an upper-half address'],
    ];
    for (const [high16, i4, words] of nonCanonical) {
      out.push({ title: `#GP for a non-canonical address: ${words}`, options: { vaHigh16: high16, index: { 4: i4, 3: i4 === 255 ? 511 : 0 } } });
    }
    for (const a of ALL_ACCESS_TYPES) {
      if (a === SUP_READ) continue;
      out.push({ title: `#GP for a non-canonical ${a.words}`, options: { vaHigh16: 0x0000, index: { 4: 256 }, ...accessOptions(a), entries: USER_ALL }, clauses: a.modeClauses });
    }
    const edges: [number, Partial<Record<1 | 2 | 3 | 4, number>>, number, string][] = [
      [0x0000, { 4: 255, 3: 511, 2: 511, 1: 511 }, 0xff0, 'the last 16 bytes below the hole (0x00007ffffffffff0)'],
      [0xffff, { 4: 256, 3: 0, 2: 0, 1: 0 }, 0x0, 'the first byte above the hole (0xffff800000000000)'],
      [0xffff, { 4: 511, 3: 511, 2: 511, 1: 511 }, 0xff0, 'the top 16 bytes of the address space'],
      [0x0000, { 4: 0, 3: 0, 2: 0, 1: 0 }, 0x0, 'linear address 0'],
    ];
    for (const [high16, index, offset, words] of edges) {
      out.push({ title: `canonical edge: ${words}`, options: { vaHigh16: high16, index, offset } });
      out.push({ title: `canonical edge, user read: ${words}`, options: { vaHigh16: high16, index, offset, entries: USER_ALL, ...accessOptions(USER_READ) }, clauses: USER_READ.modeClauses });
    }
    return out;
  },
};
