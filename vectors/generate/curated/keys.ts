import { RW, US, XD_HI } from '../../../model/paging/entry.ts';
import type { Level } from '../../../model/paging/types.ts';
import { ALL_ACCESS_TYPES, IMPLICIT_READ, SUP_READ, SUP_WRITE, USER_FETCH, USER_READ, USER_WRITE, accessOptions } from '../accesses.ts';
import { COMMON_PROFILES } from '../profiles.ts';
import type { EntryEdit, PageSizeName } from '../scenario.ts';
import { has, type CuratedCase, type CuratedGroup } from './types.ts';

const KEY = 5;
/** A key in bits 62:59, as a high-half mask. */
const keyHi = (k: number) => (k << 27) >>> 0;
const AD = (k: number) => (1 << (2 * k)) >>> 0;
const WD = (k: number) => (1 << (2 * k + 1)) >>> 0;

function chain(leaf: Level, leafEdit: EntryEdit, upper: EntryEdit = { set: US }): Partial<Record<Level, EntryEdit>> {
  const out: Partial<Record<Level, EntryEdit>> = {};
  for (const l of [4, 3, 2, 1] as Level[]) out[l] = l === leaf ? leafEdit : upper;
  return out;
}

/** Protection keys: AD and WD for every access type, on user and supervisor pages, with CR0.WP both ways. */
export const group: CuratedGroup = {
  name: 'keys',
  description: 'protection keys: PKRU.AD/WD for the page\'s key × user and supervisor pages × every access type × CR0.WP; keys in non-leaf entries and in huge leaves; CR4.PKE = 0; key and page rights denying together; keys with SMAP and AC',
  profiles: COMMON_PROFILES.filter((p) => has(p, 'pku')),
  cases(profile) {
    const out: CuratedCase[] = [];
    const pkrus: [number, string][] = [[0, 'no restriction'], [AD(KEY), 'AD'], [WD(KEY), 'WD'], [AD(KEY) | WD(KEY), 'AD and WD']];
    for (const [pkru, pw] of pkrus) {
      for (const user of [true, false]) {
        for (const wp of [true, false]) {
          // CR0.WP matters to keys only for supervisor writes (PG.PK.WD.SUPERVISOR).
          for (const a of ALL_ACCESS_TYPES.filter((x) => wp || x.kind === 'write')) {
            out.push({
              title: `${a.words} of a ${user ? 'user' : 'supervisor'} page with key ${KEY}, PKRU ${pw} for it, WP=${wp ? 1 : 0}`,
              options: { ...accessOptions(a), pke: true, pkru, wp, entries: chain(1, { set: user ? US : 0, setHi: keyHi(KEY) }) },
              clauses: a.modeClauses,
            });
          }
        }
      }
    }
    const sizes: [PageSizeName, Level][] = [['2M', 2], ...(has(profile, 'pdpe1gb') ? [['1G', 3] as [PageSizeName, Level]] : [])];
    for (const [size, leaf] of sizes) {
      out.push({ title: `user write to a ${size} page whose key is write-disabled`, options: { ...accessOptions(USER_WRITE), pageSize: size, pke: true, pkru: WD(KEY), entries: chain(leaf, { set: US, setHi: keyHi(KEY) }) }, clauses: USER_WRITE.modeClauses });
    }
    out.push({ title: 'key bits in non-leaf entries are ignored: only the PTE\'s key 0 counts', options: { ...accessOptions(USER_READ), pke: true, pkru: AD(KEY), entries: chain(1, { set: US }, { set: US, setHi: keyHi(KEY) }) }, clauses: USER_READ.modeClauses });
    out.push({ title: 'PKRU denies every key but PKE = 0: keys do nothing', options: { ...accessOptions(USER_WRITE), pke: false, pkru: 0xffff_ffff, entries: chain(1, { set: US, setHi: keyHi(KEY) }) }, clauses: USER_WRITE.modeClauses });
    out.push({ title: 'user fetch from a page whose key has AD and WD: keys never stop fetches', options: { ...accessOptions(USER_FETCH), pke: true, pkru: AD(KEY) | WD(KEY), entries: chain(1, { set: US, setHi: keyHi(KEY) }) }, clauses: USER_FETCH.modeClauses });
    out.push({ title: 'user write to a read-only page whose key is write-disabled: PK is reported with the rights fault', options: { ...accessOptions(USER_WRITE), pke: true, pkru: WD(KEY), entries: chain(1, { set: US, clear: RW, setHi: keyHi(KEY) }) }, clauses: USER_WRITE.modeClauses });
    out.push({ title: 'user read of an execute-disabled page with key 15 access-disabled', options: { ...accessOptions(USER_READ), pke: true, pkru: AD(15), entries: chain(1, { set: US, setHi: keyHi(15) | XD_HI }) }, clauses: USER_READ.modeClauses });
    out.push({ title: 'supervisor read of a supervisor page with every key access-disabled', options: { ...accessOptions(SUP_READ), pke: true, pkru: 0x5555_5555, entries: chain(1, { setHi: keyHi(KEY) }) } });
    // Keys and SMAP together: supervisor data accesses to a user page, each rule alone and both at once.
    for (const [pkru, pw] of [[AD(KEY), 'AD'], [WD(KEY), 'WD']] as const) {
      for (const smap of [false, true]) {
        for (const ac of [false, true]) {
          for (const a of [SUP_READ, SUP_WRITE, IMPLICIT_READ]) {
            out.push({
              title: `${a.words} of a user page with key ${KEY}, PKRU ${pw}, SMAP=${smap ? 1 : 0} AC=${ac ? 1 : 0}`,
              options: { ...accessOptions(a), pke: true, pkru, smap, ac, entries: chain(1, { set: US, setHi: keyHi(KEY) }) },
              clauses: a.modeClauses,
            });
          }
        }
      }
    }
    return out;
  },
};
