import { A, D, G, P, US } from '../../../model/paging/entry.ts';
import { LEVEL_NAMES, type Level } from '../../../model/paging/types.ts';
import { u64 } from '../../../model/paging/u64.ts';
import { ALL_ACCESS_TYPES, SUP_FETCH, SUP_READ, SUP_WRITE, USER_FETCH, USER_READ, USER_WRITE, accessOptions } from '../accesses.ts';
import { COMMON_PROFILES } from '../profiles.ts';
import { TABLE_PA, type PageSizeName } from '../scenario.ts';
import { has, USER_ALL, pageSizes, type CuratedCase, type CuratedGroup } from './types.ts';

const SIZE_WORD: Record<PageSizeName, string> = { '4K': '4 KiB', '2M': '2 MiB', '1G': '1 GiB' };

/** The walk itself: every page size, every level not present, the chain cut short, recursive slots. */
export const group: CuratedGroup = {
  name: 'walk',
  description: 'successful walks for every page size and access type; not-present entries at every level (with and without other bits set); tables missing from memory; a recursive PML4 slot',
  profiles: COMMON_PROFILES,
  cases(profile) {
    const out: CuratedCase[] = [];
    const sizes = pageSizes(profile);
    for (const size of sizes) {
      for (const a of [SUP_READ, SUP_WRITE, SUP_FETCH]) {
        out.push({ title: `${a.words} through a ${SIZE_WORD[size]} page`, options: { pageSize: size, ...accessOptions(a) }, clauses: ['PG.MODE.FOUR_LEVEL'] });
      }
      for (const a of [USER_READ, USER_WRITE, USER_FETCH]) {
        out.push({ title: `${a.words} through a ${SIZE_WORD[size]} user page (U/S = 1 at every level)`, options: { pageSize: size, entries: USER_ALL, ...accessOptions(a) }, clauses: a.modeClauses });
      }
    }
    for (const level of [4, 3, 2, 1] as Level[]) {
      for (const a of ALL_ACCESS_TYPES) {
        out.push({
          title: `${a.words} with the ${LEVEL_NAMES[level]} not present`,
          options: { ...accessOptions(a), entries: { ...USER_ALL, [level]: { set: US, clear: P } } },
          clauses: a.modeClauses,
        });
      }
      out.push({
        title: `${LEVEL_NAMES[level]} with P = 0 and every other bit set is simply not present`,
        options: { entries: { [level]: { set: 0xffff_fffe, setHi: 0xffff_ffff, clear: P } } },
      });
      if (level > 1) {
        out.push({ title: `the chain ends at the ${LEVEL_NAMES[level]}: the next table reads as zero`, options: { lastLevel: level } });
      }
    }
    for (const size of ['2M', '1G'] as PageSizeName[]) {
      if (size === '1G' && !has(profile, 'pdpe1gb')) continue;
      const leaf: Level = size === '2M' ? 2 : 3;
      out.push({
        title: `${SIZE_WORD[size]} leaf not present (PS = 1 but P = 0)`,
        options: { pageSize: size, entries: { [leaf]: { clear: P } }, kind: 'write' },
      });
    }
    // A recursive slot: PML4[511] points at the PML4 itself, so one qword serves at two levels.
    const recursive = { pa: TABLE_PA[4] + 511 * 8, value: u64(0, TABLE_PA[4] | P | 2) };
    out.push({
      title: 'read through a recursive PML4 slot that serves as both PML4E and PDPTE',
      options: {
        noChain: true, index: { 4: 511, 3: 511, 2: 0, 1: 0 }, offset: 0x10,
        extra: [recursive, { pa: TABLE_PA[4], value: u64(0, TABLE_PA[3] | P | 2) }, { pa: TABLE_PA[3], value: u64(0, 0x5000 | P | 2) }],
      },
      clauses: ['PG.CANON.UPPER_HALF'],
    });
    out.push({
      title: 'a global, accessed and dirty 4 KiB page reads like any other',
      options: { entries: { 1: { set: G | A | D } } },
    });
    return out;
  },
};
