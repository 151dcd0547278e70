import { P, PS, US, XD_HI } from '../../../model/paging/entry.ts';
import type { Level } from '../../../model/paging/types.ts';
import { SUP_FETCH, SUP_READ, SUP_WRITE, USER_READ, USER_WRITE, accessOptions, type AccessType } from '../accesses.ts';
import { COMMON_PROFILES } from '../profiles.ts';
import type { PageSizeName } from '../scenario.ts';
import { has, USER_ALL, type CuratedCase, type CuratedGroup } from './types.ts';


/** Where a reserved bit can sit: the level, and the page size of the chain (for huge leaves). */
const SITES: readonly [Level, PageSizeName, string][] = [
  [4, '4K', 'PML4E'], [3, '4K', 'PDPTE'], [2, '4K', 'PDE'], [1, '4K', 'PTE'], [2, '2M', '2 MiB PDE'], [3, '1G', '1 GiB PDPTE'],
];

/** Sets bit `n` (0–63) in an entry edit. */
function bitEdit(n: number, extra: { set?: number } = {}) {
  return n >= 32 ? { setHi: (1 << (n - 32)) >>> 0, ...extra } : { set: ((1 << n) >>> 0) | (extra.set ?? 0) };
}

/** Reserved bits at every level and page size, just above and just below MAXPHYADDR, and which fault wins. */
export const group: CuratedGroup = {
  name: 'reserved',
  description: 'reserved bits at every level and page size: the bit just above MAXPHYADDR and bit 51, PS in a PML4E, PS in a PDPTE without 1-GiB pages, the low reserved bits of huge leaves, XD with NXE = 0; the highest address bit below MAXPHYADDR (not reserved); reserved-bit faults winning over not-present lower entries and over rights',
  profiles: COMMON_PROFILES,
  cases(profile) {
    const out: CuratedCase[] = [];
    const m = profile.maxphyaddr;
    const sites = SITES.filter(([, size]) => size !== '1G' || has(profile, 'pdpe1gb'));
    for (const [level, size, words] of sites) {
      const access: AccessType[] = level === 1 ? [SUP_READ, SUP_WRITE, SUP_FETCH, USER_WRITE] : [SUP_READ];
      if (m < 52) {
        for (const a of access) {
          out.push({
            title: `${a.words}: bit ${m} (just above MAXPHYADDR ${m}) set in the ${words}`,
            options: { pageSize: size, ...accessOptions(a), entries: { ...USER_ALL, [level]: { set: US, ...bitEdit(m) } } },
            clauses: a.modeClauses,
          });
        }
        if (m < 51) out.push({ title: `bit 51 set in the ${words} (MAXPHYADDR ${m})`, options: { pageSize: size, entries: { [level]: bitEdit(51) } } });
      }
      out.push({
        title: `XD set in the ${words} while IA32_EFER.NXE = 0`,
        options: { pageSize: size, nxe: false, entries: { [level]: { setHi: XD_HI } } },
      });
      out.push({
        title: `XD set in the ${words} with NXE = 0, but the ${words} is not present`,
        options: { pageSize: size, nxe: false, entries: { [level]: { setHi: XD_HI, clear: P } } },
      });
    }
    // The highest address bit is an address bit, not reserved: a leaf frame at 2^(M-1) with the access denied anyway.
    out.push({
      title: `bit ${m - 1} (the top address bit at MAXPHYADDR ${m}) in a supervisor PTE is no reserved bit: a user read gets a protection fault`,
      options: { ...accessOptions(USER_READ), entries: { 4: { set: US }, 3: { set: US }, 2: { set: US }, 1: bitEdit(m - 1) } },
      clauses: ['PG.RSVD.MAXPHYADDR', ...USER_READ.modeClauses],
    });
    out.push({ title: 'PS set in a PML4E', options: { entries: { 4: { set: PS } } } });
    out.push({ title: 'PS set in a PML4E, user write', options: { ...accessOptions(USER_WRITE), entries: { ...USER_ALL, 4: { set: PS | US } } }, clauses: USER_WRITE.modeClauses });
    if (has(profile, 'pdpe1gb')) {
      for (const bit of [13, 21, 29]) {
        out.push({ title: `bit ${bit} set in a 1 GiB PDPTE (bits 29:13 are reserved)`, options: { pageSize: '1G', entries: { 3: bitEdit(bit) } } });
      }
    } else {
      out.push({ title: 'PS set in a PDPTE on a CPU without 1-GiB pages', options: { pageSize: '1G' } });
      out.push({ title: 'PS set in a PDPTE on a CPU without 1-GiB pages, user read', options: { pageSize: '1G', entries: USER_ALL, ...accessOptions(USER_READ) }, clauses: USER_READ.modeClauses });
    }
    for (const bit of [13, 16, 20]) {
      out.push({ title: `bit ${bit} set in a 2 MiB PDE (bits 20:13 are reserved)`, options: { pageSize: '2M', entries: { 2: bitEdit(bit) } } });
    }
    // Which fault wins: the walk stops at the first reserved bit.
    out.push({ title: 'reserved bit in the PML4E wins over a PDPTE that is not present', options: { entries: { 4: { set: PS }, 3: { clear: P } } } });
    out.push({
      title: 'reserved bit in the PDE wins over a user read of a supervisor page',
      options: { ...accessOptions(USER_READ), nxe: false, entries: { 4: { set: US }, 3: { set: US }, 2: { setHi: XD_HI } } },
      clauses: USER_READ.modeClauses,
    });
    out.push({
      title: 'reserved bit in the PTE wins over a supervisor write to a read-only page',
      options: { ...accessOptions(SUP_WRITE), nxe: false, entries: { 1: { setHi: XD_HI, clear: 2 } } },
    });
    return out;
  },
};
