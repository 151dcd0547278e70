// The rule functions of rules.ts, one hand-worked row per decision. Each row states the
// access and the controls that matter; the expected answer comes from the SDM's rules
// (Vol. 3A §4.6.1 page rights, §4.6.2 protection keys, §4.7 the #PF error code), not from
// the model. A decision's clauses are listed most specific first: the walk reports the
// first one as the fault's cause, so the order is checked too.
import { describe, expect, it } from 'vitest';
import type { PagingClauseId } from '../../spec/clauses/paging.ts';
import { modeOf, type Mode } from './mode.ts';
import { CR0_PE, CR0_PG, CR0_WP, CR4_PAE, CR4_PKE, CR4_SMAP, CR4_SMEP, EFER_LMA, EFER_LME, EFER_NXE, RFLAGS_AC } from './regs.ts';
import { errorCodeClauses, isUserModeAccess, keyDenial, pageFaultErrorCode, pageRightsDecision, type FaultKind } from './rules.ts';
import { FEATURES, type AccessKind, type Cpl } from './types.ts';
import { u64 } from './u64.ts';

/** The controls a row turns on; everything else is off (CPL 0, PKRU 0). */
interface Controls {
  readonly cpl?: Cpl;
  readonly nxe?: boolean;
  readonly wp?: boolean;
  readonly smep?: boolean;
  readonly smap?: boolean;
  readonly ac?: boolean;
  readonly pke?: boolean;
  readonly pkru?: number;
}

/** The decoded mode of a 4-level-paging CPU (CR0.PG, CR4.PAE, EFER.LME/LMA) with `c` on. */
function modeWith(c: Controls): Mode {
  const on = (flag: boolean | undefined, bit: number): number => (flag === true ? bit : 0);
  return modeOf({ maxPhyAddr: 46, features: new Set(FEATURES) }, {
    cr0: u64(0, (CR0_PG | CR0_PE | on(c.wp, CR0_WP)) >>> 0),
    cr3: u64(0, 0x1000),
    cr4: u64(0, CR4_PAE | on(c.smep, CR4_SMEP) | on(c.smap, CR4_SMAP) | on(c.pke, CR4_PKE)),
    efer: u64(0, EFER_LME | EFER_LMA | on(c.nxe, EFER_NXE)),
    rflags: u64(0, 0x2 | on(c.ac, RFLAGS_AC)),
    pkru: c.pkru ?? 0,
    cpl: c.cpl ?? 0,
  });
}

describe('isUserModeAccess (PG.MODE.USER_ACCESS, PG.MODE.IMPLICIT_SUPERVISOR)', () => {
  // SDM §4.6: an access is user-mode only at CPL 3, and never when it is implicit
  // (descriptor tables and the like are supervisor-mode accesses whatever the CPL).
  it.each([
    [3, false, true],
    [3, true, false],
    [0, false, false],
    [2, false, false],
  ] as const)('CPL %i, implicit %s: user mode %s', (cpl, implicit, user) => {
    expect(isUserModeAccess(cpl, implicit)).toBe(user);
  });
});

interface RightsRow {
  readonly name: string;
  readonly mode: Controls;
  /** The combined R/W, U/S and (under NXE) XD of the entries used. */
  readonly page: { readonly writable: boolean; readonly user: boolean; readonly xd: boolean };
  readonly kind: AccessKind;
  readonly implicit?: boolean;
  readonly allowed: boolean;
  readonly clauses: readonly PagingClauseId[];
}

const RW_USER = { writable: true, user: true, xd: false };
const RO_USER = { writable: false, user: true, xd: false };
const RW_SUP = { writable: true, user: false, xd: false };
const RO_SUP = { writable: false, user: false, xd: false };

// SDM §4.6.1, one row per way the rights can decide.
const rightsRows: RightsRow[] = [
  // User-mode accesses (CPL 3, explicit): the page must be a user page; writes need R/W = 1
  // everywhere (CR0.WP plays no part); fetches need XD = 0 when NXE = 1.
  { name: 'CPL 3 read of a supervisor page is denied', mode: { cpl: 3, nxe: true }, page: RW_SUP, kind: 'read',
    allowed: false, clauses: ['PG.PERM.USER.SUPERVISOR_PAGE', 'PG.PERM.US.COMBINE'] },
  { name: 'CPL 3 write to a read-only user page is denied even with WP = 0', mode: { cpl: 3, nxe: true }, page: RO_USER, kind: 'write',
    allowed: false, clauses: ['PG.PERM.USER.WRITE_READONLY', 'PG.PERM.RW.COMBINE'] },
  { name: 'CPL 3 write to a writable user page is allowed', mode: { cpl: 3, nxe: true, wp: true }, page: RW_USER, kind: 'write',
    allowed: true, clauses: ['PG.PERM.RW.COMBINE'] },
  { name: 'CPL 3 fetch from an XD user page (NXE = 1) is denied', mode: { cpl: 3, nxe: true }, page: { ...RW_USER, xd: true }, kind: 'fetch',
    allowed: false, clauses: ['PG.PERM.USER.FETCH_XD', 'PG.PERM.XD.COMBINE'] },
  { name: 'CPL 3 fetch from a user page with NXE = 1 and XD = 0 is allowed', mode: { cpl: 3, nxe: true }, page: RO_USER, kind: 'fetch',
    allowed: true, clauses: ['PG.PERM.US.COMBINE'] },
  { name: 'CPL 3 fetch from a user page with NXE = 0 is allowed: no execute protection', mode: { cpl: 3 }, page: RO_USER, kind: 'fetch',
    allowed: true, clauses: ['PG.PERM.US.COMBINE', 'PG.PERM.NXE_OFF'] },
  { name: 'CPL 3 read of a user page with NXE = 0: NXE plays no part in reads', mode: { cpl: 3 }, page: RO_USER, kind: 'read',
    allowed: true, clauses: ['PG.PERM.US.COMBINE'] },
  { name: 'CPL 3 read of an XD user page is allowed: XD only stops fetches', mode: { cpl: 3, nxe: true }, page: { ...RO_USER, xd: true }, kind: 'read',
    allowed: true, clauses: ['PG.PERM.US.COMBINE'] },

  // Supervisor-mode fetches: SMEP forbids user pages, XD forbids any page; SMAP is irrelevant.
  { name: 'supervisor fetch from a user page with SMEP = 1 is denied', mode: { nxe: true, smep: true }, page: RW_USER, kind: 'fetch',
    allowed: false, clauses: ['PG.PERM.SMEP.FETCH_USER', 'PG.PERM.US.COMBINE'] },
  { name: 'supervisor fetch from an XD supervisor page is denied', mode: { nxe: true, smep: true }, page: { ...RW_SUP, xd: true }, kind: 'fetch',
    allowed: false, clauses: ['PG.PERM.SUP.FETCH_XD', 'PG.PERM.XD.COMBINE'] },
  { name: 'supervisor fetch from a user page with SMEP = 0 and SMAP = 0 is allowed', mode: { nxe: true }, page: RW_USER, kind: 'fetch',
    allowed: true, clauses: ['PG.PERM.SMEP.OFF', 'PG.PERM.US.COMBINE'] },
  { name: 'supervisor fetch from a user page with SMEP = 0 and SMAP = 1 is allowed: SMAP does not govern fetches',
    mode: { nxe: true, smap: true }, page: RW_USER, kind: 'fetch',
    allowed: true, clauses: ['PG.PERM.SMEP.OFF', 'PG.PERM.SMAP.FETCH_UNAFFECTED'] },
  { name: 'supervisor fetch from a supervisor page with NXE = 1 and XD = 0 is allowed', mode: { nxe: true, smep: true }, page: RW_SUP, kind: 'fetch',
    allowed: true, clauses: ['PG.PERM.XD.COMBINE'] },
  { name: 'supervisor fetch from a supervisor page with NXE = 0 is allowed', mode: { smep: true }, page: RW_SUP, kind: 'fetch',
    allowed: true, clauses: ['PG.PERM.NXE_OFF'] },

  // Supervisor-mode data accesses to user pages: SMAP = 1 denies them unless the access
  // is explicit and RFLAGS.AC = 1; an implicit access is denied whatever AC says.
  { name: 'explicit supervisor read of a user page with SMAP = 1 and AC = 0 is denied', mode: { smap: true }, page: RW_USER, kind: 'read',
    allowed: false, clauses: ['PG.PERM.SMAP.READ_USER', 'PG.PERM.US.COMBINE'] },
  { name: 'explicit supervisor write to a writable user page with SMAP = 1 and AC = 0 is denied', mode: { smap: true }, page: RW_USER, kind: 'write',
    allowed: false, clauses: ['PG.PERM.SMAP.WRITE_USER', 'PG.PERM.US.COMBINE'] },
  { name: 'implicit read of a user page at CPL 3 with SMAP = 1 is denied even with AC = 1',
    mode: { cpl: 3, smap: true, ac: true }, page: RW_USER, kind: 'read', implicit: true,
    allowed: false, clauses: ['PG.PERM.SMAP.IMPLICIT', 'PG.PERM.US.COMBINE'] },
  { name: 'implicit write to a writable user page with SMAP = 1 and AC = 0 is denied as implicit',
    mode: { smap: true }, page: RW_USER, kind: 'write', implicit: true,
    allowed: false, clauses: ['PG.PERM.SMAP.IMPLICIT', 'PG.PERM.US.COMBINE'] },
  { name: 'explicit supervisor read of a user page with SMAP = 1 and AC = 1 is allowed', mode: { smap: true, ac: true }, page: RO_USER, kind: 'read',
    allowed: true, clauses: ['PG.PERM.SMAP.AC', 'PG.PERM.US.COMBINE'] },
  { name: 'supervisor read of a user page with SMAP = 0 is allowed', mode: {}, page: RO_USER, kind: 'read',
    allowed: true, clauses: ['PG.PERM.SMAP.OFF', 'PG.PERM.US.COMBINE'] },

  // Supervisor-mode data accesses to supervisor pages, and supervisor writes: R/W = 0
  // stops a supervisor write only with CR0.WP = 1.
  { name: 'supervisor read of a supervisor page is allowed', mode: { smap: true }, page: RO_SUP, kind: 'read',
    allowed: true, clauses: ['PG.PERM.SUP.READ'] },
  { name: 'implicit read of a supervisor page at CPL 3 is a supervisor access and is allowed', mode: { cpl: 3 }, page: RO_SUP, kind: 'read', implicit: true,
    allowed: true, clauses: ['PG.PERM.SUP.READ'] },
  { name: 'supervisor write to a writable supervisor page is allowed', mode: { wp: true }, page: RW_SUP, kind: 'write',
    allowed: true, clauses: ['PG.PERM.RW.COMBINE'] },
  { name: 'supervisor write to a writable user page with SMAP = 0 is allowed', mode: { wp: true }, page: RW_USER, kind: 'write',
    allowed: true, clauses: ['PG.PERM.SMAP.OFF', 'PG.PERM.US.COMBINE', 'PG.PERM.RW.COMBINE'] },
  { name: 'supervisor write to a writable user page with SMAP = 1 and AC = 1 is allowed', mode: { wp: true, smap: true, ac: true }, page: RW_USER, kind: 'write',
    allowed: true, clauses: ['PG.PERM.SMAP.AC', 'PG.PERM.US.COMBINE', 'PG.PERM.RW.COMBINE'] },
  { name: 'supervisor write to a read-only supervisor page with WP = 1 is denied', mode: { wp: true }, page: RO_SUP, kind: 'write',
    allowed: false, clauses: ['PG.PERM.WP.SUPERVISOR_WRITE', 'PG.PERM.RW.COMBINE'] },
  { name: 'supervisor write to a read-only user page with WP = 1, SMAP = 1, AC = 1 is denied by WP',
    mode: { wp: true, smap: true, ac: true }, page: RO_USER, kind: 'write',
    allowed: false, clauses: ['PG.PERM.WP.SUPERVISOR_WRITE', 'PG.PERM.RW.COMBINE'] },
  { name: 'supervisor write to a read-only supervisor page with WP = 0 is allowed', mode: {}, page: RO_SUP, kind: 'write',
    allowed: true, clauses: ['PG.PERM.WP.OFF', 'PG.PERM.RW.COMBINE'] },
  { name: 'supervisor write to a read-only user page with WP = 0 and SMAP = 0 is allowed', mode: {}, page: RO_USER, kind: 'write',
    allowed: true, clauses: ['PG.PERM.SMAP.OFF', 'PG.PERM.US.COMBINE', 'PG.PERM.WP.OFF', 'PG.PERM.RW.COMBINE'] },
  { name: 'supervisor write to a read-only user page with WP = 0, SMAP = 1, AC = 1 is allowed', mode: { smap: true, ac: true }, page: RO_USER, kind: 'write',
    allowed: true, clauses: ['PG.PERM.SMAP.AC', 'PG.PERM.US.COMBINE', 'PG.PERM.WP.OFF', 'PG.PERM.RW.COMBINE'] },
];

describe('pageRightsDecision (SDM §4.6.1)', () => {
  it.each(rightsRows)('$name', (row) => {
    const { writable, user, xd } = row.page;
    const decision = pageRightsDecision(modeWith(row.mode), writable, user, xd, row.kind, row.implicit ?? false);
    expect(decision).toEqual({ allowed: row.allowed, clauses: row.clauses });
  });
});

// Key 1 sits in leaf bits 62:59, i.e. bits 30:27 of the high half. PKRU bit 2 is AD for
// key 1, bit 3 is WD for key 1; bit 0 is AD for key 0.
const KEY1_HI = 1 << 27;
const AD1 = 1 << 2;
const WD1 = 1 << 3;
const AD0 = 1 << 0;

interface KeyRow {
  readonly name: string;
  readonly mode: Controls;
  readonly user: boolean;
  readonly kind: AccessKind;
  readonly implicit?: boolean;
  readonly denial: PagingClauseId | null;
}

// SDM §4.6.2: keys act only with CR4.PKE = 1, only on user-mode addresses and never on
// fetches. AD denies every data access; WD denies user-mode writes, and supervisor-mode
// writes only when CR0.WP = 1.
const keyRows: KeyRow[] = [
  { name: 'CR4.PKE = 0: keys are ignored', mode: { cpl: 3, pkru: AD1 | WD1 }, user: true, kind: 'write', denial: null },
  { name: 'a supervisor page is not governed by keys', mode: { pke: true, pkru: AD1 | WD1 }, user: false, kind: 'read', denial: null },
  { name: 'a fetch is not governed by keys', mode: { cpl: 3, pke: true, pkru: AD1 | WD1 }, user: true, kind: 'fetch', denial: null },
  { name: 'AD for the page key denies a user read', mode: { cpl: 3, pke: true, pkru: AD1 }, user: true, kind: 'read', denial: 'PG.PK.AD' },
  { name: 'AD for the page key denies a supervisor read of a user page', mode: { pke: true, pkru: AD1 }, user: true, kind: 'read', denial: 'PG.PK.AD' },
  { name: 'AD for another key does not deny', mode: { cpl: 3, pke: true, pkru: AD0 }, user: true, kind: 'read', denial: null },
  { name: 'WD for the page key denies a user write', mode: { cpl: 3, pke: true, pkru: WD1 }, user: true, kind: 'write', denial: 'PG.PK.WD.USER' },
  { name: 'WD does not deny a read', mode: { cpl: 3, pke: true, pkru: WD1 }, user: true, kind: 'read', denial: null },
  { name: 'WD denies a supervisor write when WP = 1', mode: { pke: true, pkru: WD1, wp: true }, user: true, kind: 'write', denial: 'PG.PK.WD.SUPERVISOR' },
  { name: 'WD does not deny a supervisor write when WP = 0', mode: { pke: true, pkru: WD1 }, user: true, kind: 'write', denial: null },
  { name: 'an implicit write at CPL 3 is a supervisor write for WD', mode: { cpl: 3, pke: true, pkru: WD1, wp: true }, user: true, kind: 'write',
    implicit: true, denial: 'PG.PK.WD.SUPERVISOR' },
];

describe('keyDenial (SDM §4.6.2)', () => {
  it.each(keyRows)('$name', (row) => {
    expect(keyDenial(modeWith(row.mode), row.user, KEY1_HI, row.kind, row.implicit ?? false)).toBe(row.denial);
  });
});

interface ErrorCodeRow {
  readonly name: string;
  readonly mode: Controls;
  readonly fault: FaultKind;
  readonly kind: AccessKind;
  readonly implicit?: boolean;
  /** A protection-key violation was found. */
  readonly pk?: boolean;
  readonly ec: number;
}

// SDM §4.7: P 0x1 (0 only for a not-present entry), W/R 0x2, U/S 0x4 (user-mode access),
// RSVD 0x8, I/D 0x10 (a fetch, with NXE or SMEP on), PK 0x20 (a protection-key violation).
const errorCodeRows: ErrorCodeRow[] = [
  { name: 'not-present supervisor read: 0', mode: {}, fault: 'not-present', kind: 'read', ec: 0x0 },
  { name: 'not-present user write: W|U = 0x6', mode: { cpl: 3 }, fault: 'not-present', kind: 'write', ec: 0x6 },
  { name: 'reserved-bit supervisor read: P|RSVD = 0x9', mode: {}, fault: 'reserved', kind: 'read', ec: 0x9 },
  { name: 'protection fault of a user read: P|U = 0x5', mode: { cpl: 3 }, fault: 'protection', kind: 'read', ec: 0x5 },
  { name: 'key violation on a user write: P|W|U|PK = 0x27', mode: { cpl: 3 }, fault: 'protection', kind: 'write', pk: true, ec: 0x27 },
  // PK reports a key violation, which only a present leaf can produce: a not-present or
  // reserved-bit fault never sets it.
  { name: 'PK stays 0 on a not-present fault', mode: { cpl: 3 }, fault: 'not-present', kind: 'read', pk: true, ec: 0x4 },
  { name: 'PK stays 0 on a reserved-bit fault', mode: {}, fault: 'reserved', kind: 'write', pk: true, ec: 0xb },
  { name: 'supervisor fetch with NXE = 1: P|I/D = 0x11', mode: { nxe: true }, fault: 'protection', kind: 'fetch', ec: 0x11 },
  { name: 'supervisor fetch with SMEP = 1 and NXE = 0: P|I/D = 0x11', mode: { smep: true }, fault: 'protection', kind: 'fetch', ec: 0x11 },
  { name: 'user fetch with NXE = 0 and SMEP = 0: I/D stays 0', mode: { cpl: 3 }, fault: 'not-present', kind: 'fetch', ec: 0x4 },
  { name: 'implicit write at CPL 3: P|W = 0x3, U/S = 0', mode: { cpl: 3 }, fault: 'protection', kind: 'write', implicit: true, ec: 0x3 },
];

describe('pageFaultErrorCode (SDM §4.7)', () => {
  it.each(errorCodeRows)('$name', (row) => {
    expect(pageFaultErrorCode(modeWith(row.mode), row.fault, row.kind, row.implicit ?? false, row.pk ?? false)).toBe(row.ec);
  });
});

describe('errorCodeClauses', () => {
  // Every #PF exercises the vector, CR2 and the P and U/S bits (set or clear); W/R and I/D
  // follow the access kind; RSVD and PK are named only when the error code has them.
  const always: PagingClauseId[] = ['PG.PF.VECTOR', 'PG.PF.CR2', 'PG.PF.EC.P', 'PG.PF.EC.US'];
  it.each([
    { name: 'a read with no extra bits', ec: 0x0, kind: 'read', extra: [] },
    { name: 'a write with RSVD', ec: 0xb, kind: 'write', extra: ['PG.PF.EC.WR', 'PG.PF.EC.RSVD'] },
    { name: 'a fetch', ec: 0x11, kind: 'fetch', extra: ['PG.PF.EC.ID'] },
    { name: 'a read denied by a key', ec: 0x25, kind: 'read', extra: ['PG.PF.EC.PK'] },
  ] satisfies { name: string; ec: number; kind: AccessKind; extra: PagingClauseId[] }[])('$name', (row) => {
    expect([...errorCodeClauses(row.ec, row.kind)].sort()).toEqual([...always, ...row.extra].sort());
  });
});
