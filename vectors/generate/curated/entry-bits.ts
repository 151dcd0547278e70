import { D, G, PAT_4K, PAT_HUGE, PCD, PWT, US } from '../../../model/paging/entry.ts';
import { LEVEL_NAMES, type Level } from '../../../model/paging/types.ts';
import { SUP_WRITE, USER_WRITE, accessOptions } from '../accesses.ts';
import { COMMON_PROFILES } from '../profiles.ts';
import type { PageSizeName } from '../scenario.ts';
import { has, USER_ALL, type CuratedCase, type CuratedGroup } from './types.ts';

/** Bits 62:52 of an entry, as a high-half mask. */
const HI_62_52 = 0x7ff0_0000;

/** Bits that change nothing: ignored bits, memory-type bits, CR3's low bits. */
export const group: CuratedGroup = {
  name: 'entry-bits',
  description: 'ignored bits (11:8 and 6 of non-leaf entries, 11:9 of leaves, 62:52 everywhere with CR4.PKE = 0), memory-type bits (PWT, PCD, PAT) at every level and page size, and CR3 bits 11:0: all change nothing',
  profiles: COMMON_PROFILES,
  cases(profile) {
    const out: CuratedCase[] = [];
    for (const level of [4, 3, 2] as Level[]) {
      out.push({ title: `user write with ignored bits 11:8 and 6 set in the ${LEVEL_NAMES[level]}`, options: { ...accessOptions(USER_WRITE), entries: { ...USER_ALL, [level]: { set: 0xf00 | D | US } } }, clauses: ['PG.ENTRY.IGNORED_BITS', ...USER_WRITE.modeClauses] });
    }
    const sizes: [PageSizeName, Level][] = [['4K', 1], ['2M', 2], ...(has(profile, 'pdpe1gb') ? [['1G', 3] as [PageSizeName, Level]] : [])];
    for (const [size, leaf] of sizes) {
      out.push({ title: `write with ignored bits 11:9 set in a ${size} leaf`, options: { pageSize: size, ...accessOptions(SUP_WRITE), entries: { [leaf]: { set: 0xe00 } } }, clauses: ['PG.ENTRY.IGNORED_BITS'] });
      out.push({ title: `user write with bits 62:52 set in every entry of a ${size} chain (PKE = 0)`, options: { pageSize: size, ...accessOptions(USER_WRITE), entries: { 4: { set: US, setHi: HI_62_52 }, 3: { set: US, setHi: HI_62_52 }, 2: { set: US, setHi: HI_62_52 }, 1: { set: US, setHi: HI_62_52 } } }, clauses: ['PG.ENTRY.IGNORED_BITS', ...USER_WRITE.modeClauses] });
      const pat = leaf === 1 ? PAT_4K : PAT_HUGE;
      out.push({ title: `write with PWT, PCD and PAT set in a ${size} leaf`, options: { pageSize: size, ...accessOptions(SUP_WRITE), entries: { [leaf]: { set: PWT | PCD | pat } } }, clauses: ['PG.ENTRY.CACHE_BITS'] });
    }
    for (const level of [4, 3, 2] as Level[]) {
      out.push({ title: `read with PWT and PCD set in the ${LEVEL_NAMES[level]}`, options: { entries: { [level]: { set: PWT | PCD } } }, clauses: ['PG.ENTRY.CACHE_BITS'] });
    }
    out.push({ title: 'G in a PTE changes nothing for one access (CR4.PGE = 0)', options: { entries: { 1: { set: G } } }, clauses: ['PG.ENTRY.IGNORED_BITS'] });
    for (const [low, words] of [[0x18, 'PWT and PCD'], [0xfe7, 'bits 2:0 and 11:5'], [0xfff, 'all of bits 11:0']] as const) {
      out.push({ title: `CR3 with ${words} set still locates the PML4 at 0x1000`, options: { cr3Low: low }, clauses: ['PG.CR3.LOW_BITS_IGNORED'] });
    }
    return out;
  },
};
