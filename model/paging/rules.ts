/**
 * The rules of 4-level paging as small functions, one concern each: which bits of a
 * present entry are reserved, whether an access is allowed given the combined rights,
 * and what the #PF error code says. The walk (walk-core.ts) only sequences them.
 */
import type { PagingClauseId } from '../../spec/clauses/paging.ts';
import { PS, RSVD_1G_LO, RSVD_2M_LO, XD_HI, pkeyOf } from './entry.ts';
import type { Mode } from './mode.ts';
import { PF_ID, PF_P, PF_PK, PF_RSVD, PF_US, PF_WR, type AccessKind, type Level } from './types.ts';

/**
 * The reserved-bit rule a present entry breaks, or null. Checked in a fixed order so
 * the reported clause is deterministic when several apply (all give the same fault).
 */
export function reservedBitRule(level: Level, lo: number, hi: number, mode: Mode): PagingClauseId | null {
  if ((hi & mode.rsvdHi) !== 0) return 'PG.RSVD.MAXPHYADDR';
  if (!mode.nxe && (hi & XD_HI) !== 0) return 'PG.RSVD.XD_WITHOUT_NXE';
  if (level === 4) return (lo & PS) !== 0 ? 'PG.RSVD.PML4E.PS' : null;
  if (level === 3 && (lo & PS) !== 0) {
    if (!mode.pdpe1gb) return 'PG.RSVD.PDPTE.PS_NO_1G';
    return (lo & RSVD_1G_LO) !== 0 ? 'PG.RSVD.PDPTE_1G.LOW' : null;
  }
  if (level === 2 && (lo & PS) !== 0) return (lo & RSVD_2M_LO) !== 0 ? 'PG.RSVD.PDE_2M.LOW' : null;
  return null;
}

/**
 * Why the page-level rights allow or deny an access: the deciding clauses. Protection
 * keys are decided apart, by `keyDenial`.
 */
export interface AccessDecision {
  readonly allowed: boolean;
  /** The rules that decided, most specific first. */
  readonly clauses: readonly PagingClauseId[];
}

/** PG.MODE.USER_ACCESS / PG.MODE.IMPLICIT_SUPERVISOR. */
export function isUserModeAccess(cpl: number, implicit: boolean): boolean {
  return cpl === 3 && !implicit;
}

// Decisions are shared constants: the walk's hot path allocates nothing for them.
const d = (allowed: boolean, clauses: readonly PagingClauseId[]): AccessDecision => ({ allowed, clauses });
const ALLOW_SUP_READ = d(true, ['PG.PERM.SUP.READ']);
const DENY_USER_SUP_PAGE = d(false, ['PG.PERM.USER.SUPERVISOR_PAGE', 'PG.PERM.US.COMBINE']);
const DENY_USER_WRITE_RO = d(false, ['PG.PERM.USER.WRITE_READONLY', 'PG.PERM.RW.COMBINE']);
const DENY_USER_FETCH_XD = d(false, ['PG.PERM.USER.FETCH_XD', 'PG.PERM.XD.COMBINE']);
const ALLOW_USER_PAGE = d(true, ['PG.PERM.US.COMBINE']);
const ALLOW_USER_FETCH_NXE_OFF = d(true, ['PG.PERM.US.COMBINE', 'PG.PERM.NXE_OFF']);
const DENY_SMEP = d(false, ['PG.PERM.SMEP.FETCH_USER', 'PG.PERM.US.COMBINE']);
const DENY_SUP_FETCH_XD = d(false, ['PG.PERM.SUP.FETCH_XD', 'PG.PERM.XD.COMBINE']);
const ALLOW_SUP_FETCH = d(true, ['PG.PERM.XD.COMBINE']);
const ALLOW_SUP_FETCH_NXE_OFF = d(true, ['PG.PERM.NXE_OFF']);
const ALLOW_SUP_FETCH_USER = d(true, ['PG.PERM.SMEP.OFF', 'PG.PERM.US.COMBINE']);
const ALLOW_SUP_FETCH_USER_SMAP = d(true, ['PG.PERM.SMEP.OFF', 'PG.PERM.SMAP.FETCH_UNAFFECTED']);
const DENY_SMAP_IMPLICIT = d(false, ['PG.PERM.SMAP.IMPLICIT', 'PG.PERM.US.COMBINE']);
const DENY_SMAP_READ = d(false, ['PG.PERM.SMAP.READ_USER', 'PG.PERM.US.COMBINE']);
const DENY_SMAP_WRITE = d(false, ['PG.PERM.SMAP.WRITE_USER', 'PG.PERM.US.COMBINE']);
const DENY_WP = d(false, ['PG.PERM.WP.SUPERVISOR_WRITE', 'PG.PERM.RW.COMBINE']);
const ALLOW_WP_OFF = d(true, ['PG.PERM.WP.OFF', 'PG.PERM.RW.COMBINE']);
const ALLOW_WRITABLE = d(true, ['PG.PERM.RW.COMBINE']);
// A supervisor-mode data access to a user-mode page that SMAP lets through: SMAP is off,
// or EFLAGS.AC = 1 for an explicit access (implicit ones were denied above).
const ALLOW_SMAP_AC = d(true, ['PG.PERM.SMAP.AC', 'PG.PERM.US.COMBINE']);
const ALLOW_SMAP_OFF = d(true, ['PG.PERM.SMAP.OFF', 'PG.PERM.US.COMBINE']);
const ALLOW_SMAP_AC_WRITABLE = d(true, [...ALLOW_SMAP_AC.clauses, ...ALLOW_WRITABLE.clauses]);
const ALLOW_SMAP_OFF_WRITABLE = d(true, [...ALLOW_SMAP_OFF.clauses, ...ALLOW_WRITABLE.clauses]);
const ALLOW_SMAP_AC_WP_OFF = d(true, [...ALLOW_SMAP_AC.clauses, ...ALLOW_WP_OFF.clauses]);
const ALLOW_SMAP_OFF_WP_OFF = d(true, [...ALLOW_SMAP_OFF.clauses, ...ALLOW_WP_OFF.clauses]);

/**
 * Page-level rights (SDM §4.6.1) without protection keys. `user` is the U/S
 * combination over every entry used (PG.PERM.US.COMBINE), `writable` the R/W
 * combination (PG.PERM.RW.COMBINE), `xd` the XD combination under NXE
 * (PG.PERM.XD.COMBINE). Booleans, not an object: the walk calls this on every access.
 */
export function pageRightsDecision(
  mode: Mode, writable: boolean, user: boolean, xd: boolean, kind: AccessKind, implicit: boolean,
): AccessDecision {
  const userMode = isUserModeAccess(mode.cpl, implicit);
  if (userMode) {
    if (!user) return DENY_USER_SUP_PAGE;
    if (kind === 'write') return writable ? ALLOW_WRITABLE : DENY_USER_WRITE_RO;
    if (kind === 'fetch') return xd ? DENY_USER_FETCH_XD : mode.nxe ? ALLOW_USER_PAGE : ALLOW_USER_FETCH_NXE_OFF;
    return ALLOW_USER_PAGE; // a user-mode read of a user-mode address
  }
  if (kind === 'fetch') {
    if (user && mode.smep) return DENY_SMEP;
    if (xd) return DENY_SUP_FETCH_XD;
    if (user) return mode.smap ? ALLOW_SUP_FETCH_USER_SMAP : ALLOW_SUP_FETCH_USER;
    return mode.nxe ? ALLOW_SUP_FETCH : ALLOW_SUP_FETCH_NXE_OFF;
  }
  if (user && mode.smap && (implicit || !mode.ac)) {
    if (implicit) return DENY_SMAP_IMPLICIT;
    return kind === 'write' ? DENY_SMAP_WRITE : DENY_SMAP_READ;
  }
  if (kind === 'read') return user ? (mode.smap ? ALLOW_SMAP_AC : ALLOW_SMAP_OFF) : ALLOW_SUP_READ;
  if (writable) return user ? (mode.smap ? ALLOW_SMAP_AC_WRITABLE : ALLOW_SMAP_OFF_WRITABLE) : ALLOW_WRITABLE;
  if (mode.wp) return DENY_WP;
  return user ? (mode.smap ? ALLOW_SMAP_AC_WP_OFF : ALLOW_SMAP_OFF_WP_OFF) : ALLOW_WP_OFF;
}

/**
 * Protection keys (SDM §4.6.2): the clause that denies the data access by key, or
 * null. Keys apply only with CR4.PKE = 1, only to user-mode addresses and never to
 * fetches; AD blocks every data access, WD blocks user-mode writes and, with
 * CR0.WP = 1, supervisor-mode writes.
 */
export function keyDenial(mode: Mode, user: boolean, leafHi: number, kind: AccessKind, implicit: boolean): PagingClauseId | null {
  if (!mode.pke || !user || kind === 'fetch') return null;
  const key = pkeyOf(leafHi);
  if ((mode.pkru >>> (2 * key)) & 1) return 'PG.PK.AD';
  if (kind !== 'write' || ((mode.pkru >>> (2 * key + 1)) & 1) === 0) return null;
  if (isUserModeAccess(mode.cpl, implicit)) return 'PG.PK.WD.USER';
  return mode.wp ? 'PG.PK.WD.SUPERVISOR' : null;
}

/** The kind of page fault, which decides the P and RSVD bits. */
export type FaultKind = 'not-present' | 'reserved' | 'protection';

/** The #PF error code (SDM §4.7): PG.PF.EC.P, .WR, .US, .RSVD, .ID, .PK. */
export function pageFaultErrorCode(mode: Mode, fault: FaultKind, kind: AccessKind, implicit: boolean, pk: boolean): number {
  let ec = fault === 'not-present' ? 0 : PF_P;
  if (fault === 'reserved') ec |= PF_RSVD;
  if (kind === 'write') ec |= PF_WR;
  if (isUserModeAccess(mode.cpl, implicit)) ec |= PF_US;
  // PG.PF.EC.ID: 4-level paging has PAE on, so I/D reports fetches when SMEP or NXE is 1.
  if (kind === 'fetch' && (mode.smep || mode.nxe)) ec |= PF_ID;
  if (pk && fault === 'protection') ec |= PF_PK;
  return ec;
}

/** The error-code clauses that a given error code exercises, for decided-by lists. */
export function errorCodeClauses(ec: number, kind: AccessKind): PagingClauseId[] {
  const out: PagingClauseId[] = ['PG.PF.VECTOR', 'PG.PF.CR2', 'PG.PF.EC.P', 'PG.PF.EC.US'];
  if (kind === 'write') out.push('PG.PF.EC.WR');
  if (ec & PF_RSVD) out.push('PG.PF.EC.RSVD');
  if (kind === 'fetch') out.push('PG.PF.EC.ID');
  if (ec & PF_PK) out.push('PG.PF.EC.PK');
  return out;
}
