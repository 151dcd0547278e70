import { RW, US, XD_HI } from '../../../model/paging/entry.ts';
import { LEVEL_NAMES, type Level } from '../../../model/paging/types.ts';
import { ALL_ACCESS_TYPES, accessType, SUP_FETCH, SUP_READ, SUP_WRITE, USER_FETCH, USER_READ, USER_WRITE, accessOptions, type AccessType } from '../accesses.ts';
import { COMMON_PROFILES, type CpuProfile } from '../profiles.ts';
import type { EntryEdit, PageSizeName, ScenarioOptions } from '../scenario.ts';
import { has, pageSizes, type CuratedCase, type CuratedGroup } from './types.ts';


/** A user-accessible, writable chain with one entry changed. */
function chainWith(level: Level, edit: EntryEdit): Partial<Record<Level, EntryEdit>> {
  const all: Partial<Record<Level, EntryEdit>> = { 4: { set: US }, 3: { set: US }, 2: { set: US }, 1: { set: US } };
  return { ...all, [level]: edit };
}

/** What kind of page the leaf makes (the upper entries allow everything). */
export interface PageKind {
  readonly words: string;
  readonly user: boolean;
  readonly writable: boolean;
  readonly xd: boolean;
}

export const PAGE_KINDS: readonly PageKind[] = [
  { words: 'writable supervisor page', user: false, writable: true, xd: false },
  { words: 'read-only supervisor page', user: false, writable: false, xd: false },
  { words: 'writable user page', user: true, writable: true, xd: false },
  { words: 'read-only user page', user: true, writable: false, xd: false },
  { words: 'execute-disabled supervisor page', user: false, writable: true, xd: true },
  { words: 'execute-disabled read-only user page', user: true, writable: false, xd: true },
];

/** Control-register settings that change rights. */
export interface RegSetting {
  readonly words: string;
  readonly wp: boolean;
  readonly nxe: boolean;
  readonly smep: boolean;
  readonly smap: boolean;
  readonly ac: boolean;
}

/** Whether the CPU can be put in this setting (PG.STATE.FEATURE_BITS). */
export function settingFits(r: RegSetting, p: CpuProfile): boolean {
  return (!r.nxe || has(p, 'nx')) && (!r.smep || has(p, 'smep')) && (!r.smap || has(p, 'smap'));
}

export function settingWords(r: RegSetting): string {
  const on = (b: boolean, name: string) => `${name}=${b ? 1 : 0}`;
  return [on(r.wp, 'WP'), on(r.nxe, 'NXE'), on(r.smep, 'SMEP'), on(r.smap, 'SMAP'), on(r.ac, 'AC')].join(' ');
}

/** The scenario for one (page kind, access, setting) triple, or undefined when XD would be reserved (NXE = 0). */
export function rightsCase(kind: PageKind, a: AccessType, r: RegSetting, size: PageSizeName = '4K'): CuratedCase | undefined {
  if (kind.xd && !r.nxe) return undefined;
  const leaf: Level = size === '4K' ? 1 : size === '2M' ? 2 : 3;
  const leafEdit: EntryEdit = { set: kind.user ? US : 0, clear: kind.writable ? 0 : RW, setHi: kind.xd ? XD_HI : 0 };
  const options: Omit<ScenarioOptions, 'profile'> = {
    ...accessOptions(a), pageSize: size, wp: r.wp, nxe: r.nxe, smep: r.smep, smap: r.smap, ac: r.ac,
    entries: chainWith(leaf, leafEdit),
  };
  return { title: `${a.words} of ${/^[aeiou]/.test(kind.words) ? 'an' : 'a'} ${kind.words}${size === '4K' ? '' : ` (${size})`} with ${settingWords(r)}`, options, clauses: a.modeClauses };
}

const VARIANTS: readonly RegSetting[] = [
  { words: 'defaults', wp: true, nxe: true, smep: false, smap: false, ac: false },
  { words: 'WP and NXE off', wp: false, nxe: false, smep: false, smap: false, ac: false },
  { words: 'SMEP and SMAP', wp: true, nxe: true, smep: true, smap: true, ac: false },
  { words: 'SMAP with AC, WP off', wp: false, nxe: true, smep: true, smap: true, ac: true },
];

/** Access rights: every flag at every level, and the leaf rights under the settings that matter. */
export const group: CuratedGroup = {
  name: 'rights',
  description: 'access rights: R/W = 0, U/S = 0 and XD = 1 at each level alone (every level, every page size) for the accesses they govern; every page kind × access type under CR0.WP, NXE, SMEP, SMAP and SMAP+AC settings; CPL 1 and 2 as supervisor-mode accesses',
  profiles: COMMON_PROFILES,
  cases(profile) {
    const out: CuratedCase[] = [];
    const sizes = pageSizes(profile);
    for (const size of sizes) {
      const levels: Level[] = size === '4K' ? [4, 3, 2, 1] : size === '2M' ? [4, 3, 2] : [4, 3];
      const sz = size === '4K' ? '' : ` (${size} page)`;
      for (const level of levels) {
        const w = LEVEL_NAMES[level];
        for (const [a, wp] of [[USER_WRITE, true], [SUP_WRITE, true], [SUP_WRITE, false], [USER_READ, true]] as const) {
          out.push({ title: `${a.words} with R/W = 0 only in the ${w}${sz}, WP=${wp ? 1 : 0}`, options: { ...accessOptions(a), pageSize: size, wp, entries: chainWith(level, { set: US, clear: RW }) }, clauses: a.modeClauses });
        }
        for (const a of [USER_READ, USER_WRITE, USER_FETCH, SUP_FETCH]) {
          out.push({ title: `${a.words} with U/S = 0 only in the ${w}${sz}`, options: { ...accessOptions(a), pageSize: size, smep: has(profile, 'smep'), entries: chainWith(level, {}) }, clauses: a.modeClauses });
        }
        if (has(profile, 'nx')) {
          for (const a of [SUP_FETCH, USER_FETCH, SUP_READ]) {
            out.push({ title: `${a.words} with XD = 1 only in the ${w}${sz}`, options: { ...accessOptions(a), pageSize: size, entries: chainWith(level, { set: US, setHi: XD_HI }) }, clauses: a.modeClauses });
          }
        }
      }
    }
    for (const r of VARIANTS) {
      if (!settingFits(r, profile)) continue;
      for (const kind of PAGE_KINDS) {
        for (const a of ALL_ACCESS_TYPES) {
          const c = rightsCase(kind, a, r);
          if (c !== undefined) out.push(c);
        }
      }
    }
    // CPL 1 and 2 are supervisor-mode: SMAP, SMEP and WP apply to them as to CPL 0.
    const strict: RegSetting = { words: 'strict', wp: true, nxe: has(profile, 'nx'), smep: has(profile, 'smep'), smap: has(profile, 'smap'), ac: false };
    for (const cpl of [1, 2] as const) {
      for (const kind of ['read', 'write', 'fetch'] as const) {
        const a = accessType(cpl, kind, false, `CPL ${cpl} ${kind}`);
        for (const page of [PAGE_KINDS[1]!, PAGE_KINDS[2]!]) {
          const c = rightsCase(page, a, strict);
          if (c !== undefined) out.push(c);
        }
      }
    }
    return out;
  },
};

/** Every combination of WP, NXE, SMEP, SMAP and AC, for every page kind and access type. */
export const sweepGroup: CuratedGroup = {
  name: 'rights-sweep',
  description: 'the full cross product: 6 page kinds × 8 access types × CR0.WP × EFER.NXE × CR4.SMEP × CR4.SMAP × RFLAGS.AC (XD pages only with NXE = 1), on a CPU with every feature',
  profiles: COMMON_PROFILES.filter((p) => p.name === 'p46-all'),
  cases() {
    const out: CuratedCase[] = [];
    for (let bits = 0; bits < 32; bits++) {
      const r: RegSetting = { words: '', wp: (bits & 1) !== 0, nxe: (bits & 2) !== 0, smep: (bits & 4) !== 0, smap: (bits & 8) !== 0, ac: (bits & 16) !== 0 };
      for (const kind of PAGE_KINDS) {
        for (const a of ALL_ACCESS_TYPES) {
          const c = rightsCase(kind, a, r);
          if (c !== undefined) out.push(c);
        }
      }
    }
    return out;
  },
};
