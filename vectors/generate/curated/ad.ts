import { A, D, P, RW, US } from '../../../model/paging/entry.ts';
import { LEVEL_NAMES, type Level } from '../../../model/paging/types.ts';
import { ALL_ACCESS_TYPES, SUP_FETCH, SUP_READ, SUP_WRITE, USER_WRITE, accessOptions } from '../accesses.ts';
import { COMMON_PROFILES } from '../profiles.ts';
import { USER_ALL, pageSizes, type CuratedCase, type CuratedGroup } from './types.ts';

const AD_ALL = { 4: { set: A | D }, 3: { set: A | D }, 2: { set: A | D }, 1: { set: A | D } } as const;

/** Accessed and dirty flags: what a successful access sets, what sticks, what a fault may leave. */
export const group: CuratedGroup = {
  name: 'ad',
  description: 'accessed and dirty flags: set on success (A everywhere, D only in the leaf, only on writes), already set (nothing changes), and after faults at every level (A above the fault may be set, the faulting entry and every D untouched)',
  profiles: COMMON_PROFILES,
  cases(profile) {
    const out: CuratedCase[] = [];
    const sizes = pageSizes(profile);
    for (const size of sizes) {
      for (const a of [SUP_READ, SUP_WRITE, SUP_FETCH]) {
        out.push({ title: `${a.words} of a fresh ${size} page sets A everywhere${a.kind === 'write' ? ' and D in the leaf' : ''}`, options: { pageSize: size, ...accessOptions(a) } });
        out.push({ title: `${a.words} of a ${size} page whose A and D are already set changes nothing`, options: { pageSize: size, ...accessOptions(a), entries: AD_ALL } });
      }
      out.push({ title: `write to a ${size} page with A set but D clear sets only D`, options: { pageSize: size, kind: 'write', entries: { 4: { set: A }, 3: { set: A }, 2: { set: A }, 1: { set: A } } } });
    }
    for (const level of [3, 2, 1] as Level[]) {
      out.push({ title: `${LEVEL_NAMES[level]} not present: the entries above may get A, none gets D`, options: { kind: 'write', entries: { [level]: { clear: P } } } });
    }
    out.push({ title: 'user write to a read-only page: the leaf gets neither A nor D, the entries above may get A', options: { ...accessOptions(USER_WRITE), entries: { ...USER_ALL, 1: { set: US, clear: RW } } }, clauses: USER_WRITE.modeClauses });
    out.push({ title: 'reserved bit in the PDE: the PDE stays as it was, the entries above may get A', options: { kind: 'write', pageSize: '2M', entries: { 2: { set: 1 << 13 } } } });
    for (const a of ALL_ACCESS_TYPES.filter((x) => x.cpl === 3)) {
      out.push({ title: `${a.words} of a user page with clean entries`, options: { ...accessOptions(a), entries: USER_ALL }, clauses: a.modeClauses });
    }
    return out;
  },
};
