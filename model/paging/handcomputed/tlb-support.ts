/**
 * Helpers for hand-computed TLB cases: an explicit access to a 64-bit address, and short
 * forms of the TLB model's permitted outcomes — what the access answers ('ok 0x5567',
 * 'pf 0x5', 'gp') and where a walk began ('CR3', or the cached upper-level entry it
 * started below).
 */
import { virtAddr } from '../addr.ts';
import type { PermittedResult } from '../tlb.ts';
import type { Access, AccessKind } from '../types.ts';
import { fromBigInt } from '../u64.ts';

/** An explicit (not implicit supervisor) access of `kind` to `va`. */
export function accessAt(va: bigint, kind: AccessKind): Access {
  return { va: virtAddr(fromBigInt(va)), kind, implicit: false };
}

/** The answer of a permitted outcome: the physical address, or the fault and its error code. */
export function answerOf(p: PermittedResult): string {
  if (p.source === 'cache') return p.outcome === 'ok' ? `ok 0x${p.pa.toString(16)}` : `pf 0x${p.errorCode.toString(16)}`;
  const r = p.result;
  if (r.outcome === 'ok') return `ok 0x${r.pa.toString(16)}`;
  return r.vector === 13 ? 'gp' : `pf 0x${r.errorCode.toString(16)}`;
}

const ENTRY_NAME = { 4: 'PML4E', 3: 'PDPTE', 2: 'PDE' } as const;

/** Where a walk outcome began: at CR3, or below a cached PML4E, PDPTE or PDE. */
export type WalkStartName = 'CR3' | (typeof ENTRY_NAME)[keyof typeof ENTRY_NAME];

/** The start of every walk among `ps`, in order; cached translations are left out. */
export function walkStarts(ps: readonly PermittedResult[]): WalkStartName[] {
  return ps.flatMap((p) => (p.source !== 'walk' ? [] : [p.from === undefined ? 'CR3' : ENTRY_NAME[p.from.level]]));
}

/** The physical addresses of the A/D bits a walk outcome sets, in walk order. */
export function updatedEntries(p: PermittedResult): string[] {
  return p.source === 'walk' ? p.result.updates.map((u) => `0x${u.pa.toString(16)}`) : [];
}
