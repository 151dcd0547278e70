/**
 * Walks every page a range of linear addresses touches, with the lead's reference walk
 * (model/paging/walk.ts), and says in words why an access faults.
 */
import { canonicalFrom48, low48, type VirtAddr } from '../paging/addr.ts';
import type { HandoffClauseId } from '../../spec/clauses/handoff.ts';
import { walk } from '../paging/walk.ts';
import { toHex } from '../paging/u64.ts';
import { LEVEL_NAMES, PF_P, PF_WR, type AccessKind, type Fault, type PagingState } from '../paging/types.ts';

export interface ProbeOk {
  readonly ok: true;
  /** Physical address of each touched page's first touched byte, in order. */
  readonly pages: readonly { readonly va: VirtAddr; readonly pa: number }[];
}

export interface ProbeFault {
  readonly ok: false;
  /** The first faulting address. */
  readonly va: VirtAddr;
  readonly fault: Fault;
}

export type ProbeResult = ProbeOk | ProbeFault;

const PAGE = 4096;

/** The addresses of [va, va + length) at which a new page starts (va itself first). */
export function touchedPages(va: VirtAddr, length: number): VirtAddr[] {
  const out: VirtAddr[] = [va];
  const start = low48(va);
  const last = start + Math.max(1, length) - 1;
  for (let p = Math.floor(start / PAGE) * PAGE + PAGE; p <= last; p += PAGE) out.push(canonicalFrom48(p % 2 ** 48));
  return out;
}

/** Walks each page of the range for `kind`; stops at the first fault. */
export function probe(state: PagingState, va: VirtAddr, length: number, kind: AccessKind, implicit = false): ProbeResult {
  const pages: { va: VirtAddr; pa: number }[] = [];
  for (const at of touchedPages(va, length)) {
    const r = walk(state, { va: at, kind, implicit });
    if (r.outcome === 'fault') return { ok: false, va: at, fault: r };
    pages.push({ va: at, pa: r.pa });
  }
  return { ok: true, pages };
}

/** Which hand-off clause a fault breaks when it is not the check's own (`own`). */
export function clauseOfFault(fault: Fault, own: HandoffClauseId): HandoffClauseId {
  if (fault.cause === 'PG.RSVD.XD_WITHOUT_NXE') return 'HANDOFF.NXE.XD_RESERVED';
  if (fault.cause === 'PG.RSVD.MAXPHYADDR') return 'HANDOFF.MAP.PHYS_WIDTH';
  return own;
}

/** Why the access faults, in a kernel author's words. */
export function describeFault(fault: Fault, maxPhyAddr: number): string {
  if (fault.vector === 13) return 'the address is not canonical (bits 63:47 differ), so the access raises #GP';
  // A #PF always read at least the PML4E (PG.WALK.PML4E.ADDR).
  const last = fault.trace[fault.trace.length - 1]!;
  const where = `the ${LEVEL_NAMES[last.level]} at physical 0x${last.entryPa.toString(16)} (${toHex(last.entry)})`;
  const cause = fault.cause;
  if ((fault.errorCode & PF_P) === 0) return `${where} is not present`;
  if (cause === 'PG.RSVD.XD_WITHOUT_NXE') return `${where} has XD (bit 63) set while IA32_EFER.NXE = 0, which makes bit 63 a reserved bit`;
  if (cause === 'PG.RSVD.MAXPHYADDR') return `${where} holds an address with bits at or above the ${maxPhyAddr}-bit physical address width`;
  if (cause.startsWith('PG.RSVD.')) return `${where} has a reserved bit set (${cause})`;
  if (isXdFetch(fault)) return 'the page is execute-disable (XD = 1 on its path while IA32_EFER.NXE = 1)';
  if ((fault.errorCode & PF_WR) !== 0 && cause.startsWith('PG.PERM.WP')) return 'the page is read-only (R/W = 0 on its path) and CR0.WP = 1';
  if ((fault.errorCode & PF_WR) !== 0) return `the write is denied (${cause})`;
  return `the access is denied (${cause})`;
}

/** A fetch refused because of XD (PG.PERM.SUP.FETCH_XD / USER.FETCH_XD / XD.COMBINE). */
export function isXdFetch(fault: Fault): boolean {
  return fault.vector === 14 && (fault.cause === 'PG.PERM.SUP.FETCH_XD' || fault.cause === 'PG.PERM.USER.FETCH_XD' || fault.cause === 'PG.PERM.XD.COMBINE');
}

/** `#PF (error code 0x…)` or `#GP(0)`. */
export function faultName(fault: Fault): string {
  return fault.vector === 13 ? '#GP(0)' : `#PF (error code 0x${fault.errorCode.toString(16)})`;
}
