/**
 * Hand-computed cases: page tables written qword by qword, an access, and the outcome a
 * person worked out from the SDM's rules (never from the model). `checkHandCase` runs
 * the model on the case and compares every part of the outcome: the physical address
 * or the fault (vector, exact error code, CR2), and the exact value of every qword
 * after the access.
 *
 * Default registers (each case overrides what it needs):
 *   CR0   0x80010033  PG(31) | WP(16) | NE(5) | ET(4) | MP(1) | PE(0)
 *   CR4   0x20        PAE(5) only (no PGE, SMEP, SMAP, PKE)
 *   EFER  0xd00       NXE(11) | LMA(10) | LME(8)
 *   RFLAGS 0x2        bit 1 is always 1; AC(18) clear
 *   CPU   MAXPHYADDR 46, features nx smep smap pku pdpe1gb
 */
import { expect } from 'vitest';
import type { PagingClauseId } from '../../../spec/clauses/paging.ts';
import { physAddr, virtAddr, type PhysAddr } from '../addr.ts';
import { PhysMemory } from '../memory.ts';
import { fromBigInt, toBigInt } from '../u64.ts';
import { FEATURES, type Access, type AccessKind, type Cpl, type Feature, type PagingState, type WalkResult } from '../types.ts';
import { walk } from '../walk.ts';
import { performAccess } from '../access.ts';

/** Register values used when a case does not give its own. */
export const CR0_DEFAULT = 0x8001_0033n;
/** CR0 with WP (bit 16) clear. */
export const CR0_NO_WP = 0x8000_0033n;
export const CR4_DEFAULT = 0x20n;
export const EFER_DEFAULT = 0xd00n;
/** EFER with NXE (bit 11) clear: LMA | LME. */
export const EFER_NO_NXE = 0x500n;
export const RFLAGS_DEFAULT = 0x2n;
/** RFLAGS with AC (bit 18) set. */
export const RFLAGS_AC = 0x4_0002n;

/** What the processor must do with the access. */
export type HandExpect =
  /** Translation succeeds with this physical address. */
  | { readonly pa: number }
  /** #PF with this exact error code; CR2 must be the access's full address. */
  | { readonly pf: number }
  /** #GP(0): the address is not canonical. */
  | { readonly gp: true };

export interface HandCase {
  /** What the case shows, in words. */
  readonly name: string;
  readonly clauses: readonly PagingClauseId[];
  readonly maxphyaddr?: number;
  readonly features?: readonly Feature[];
  readonly cr0?: bigint;
  readonly cr3: bigint;
  readonly cr4?: bigint;
  readonly efer?: bigint;
  readonly rflags?: bigint;
  readonly pkru?: number;
  readonly cpl?: Cpl;
  /** The qwords of physical memory that are not zero: [pa, value]. */
  readonly memory: readonly (readonly [number, bigint])[];
  readonly access: { readonly va: bigint; readonly kind: AccessKind; readonly implicit?: boolean };
  readonly expect: HandExpect;
  /**
   * On success: the exact final value of every qword the access changes (A/D set);
   * every other qword must keep its value. Required for successful cases.
   * On a fault: the qwords the processor MAY change and the value each may take
   * (an upper-level A bit, PG.AD.FAULT_MAY_SET_UPPER); every other qword must stay.
   */
  readonly after?: readonly (readonly [number, bigint])[];
}

/** Builds the model's state for a case (fresh memory each call). */
export function stateOf(c: HandCase): PagingState {
  const memory = new PhysMemory();
  for (const [pa, value] of c.memory) memory.write64(physAddr(pa), fromBigInt(value));
  return {
    cpu: { maxPhyAddr: c.maxphyaddr ?? 46, features: new Set(c.features ?? FEATURES) },
    regs: {
      cr0: fromBigInt(c.cr0 ?? CR0_DEFAULT),
      cr3: fromBigInt(c.cr3),
      cr4: fromBigInt(c.cr4 ?? CR4_DEFAULT),
      efer: fromBigInt(c.efer ?? EFER_DEFAULT),
      rflags: fromBigInt(c.rflags ?? RFLAGS_DEFAULT),
      pkru: c.pkru ?? 0,
      cpl: c.cpl ?? 0,
    },
    memory,
  };
}

export function accessOf(c: HandCase): Access {
  return { va: virtAddr(fromBigInt(c.access.va)), kind: c.access.kind, implicit: c.access.implicit ?? false };
}

const hex = (v: bigint | number): string => '0x' + v.toString(16);

/** Every non-zero qword of memory as [pa, value] hex pairs, for comparison. */
export function dump(memory: PhysMemory): Map<number, bigint> {
  const m = new Map<number, bigint>();
  for (const [pa, v] of memory.nonZeroQwords()) m.set(pa, toBigInt(v));
  return m;
}

/** The memory the case expects after the access, given the changes in `after`. */
function expectedMemory(c: HandCase, changes: readonly (readonly [number, bigint])[]): Map<number, string> {
  const m = new Map<number, string>();
  for (const [pa, v] of c.memory) if (v !== 0n) m.set(pa, hex(v));
  for (const [pa, v] of changes) m.set(pa, hex(v));
  return m;
}

function hexMap(m: Map<number, bigint>): Map<number, string> {
  return new Map([...m].map(([pa, v]) => [pa, hex(v)]));
}

/** The A/D updates a walk reports that really change a qword, as [pa, after] hex pairs. */
function changedUpdates(r: WalkResult): [string, string][] {
  return r.updates
    .filter((u) => u.before.hi !== u.after.hi || u.before.lo !== u.after.lo)
    .map((u): [string, string] => [hex(u.pa), hex(toBigInt(u.after))])
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** Runs the model on one hand case and checks the whole outcome against it. */
export function checkHandCase(c: HandCase): void {
  const state = stateOf(c);
  const access = accessOf(c);
  const before = dump(state.memory);
  const r = walk(state, access);
  // walk is pure: it reads the tables and changes nothing.
  expect(hexMap(dump(state.memory))).toEqual(hexMap(before));
  const after = c.after ?? [];
  const afterSorted = after.map(([pa, v]): [string, string] => [hex(pa), hex(v)]).sort((a, b) => (a[0] < b[0] ? -1 : 1));

  if ('pa' in c.expect) {
    expect(c.after, 'a successful case must list its exact A/D changes').toBeDefined();
    expect(r.outcome, `expected a translation, got ${JSON.stringify(summary(r))}`).toBe('ok');
    if (r.outcome !== 'ok') return;
    expect(hex(r.pa)).toBe(hex(c.expect.pa));
    expect(changedUpdates(r)).toEqual(afterSorted);
    const mem = stateOf(c);
    const done = performAccess(mem, access);
    expect(done.outcome).toBe('ok');
    expect(hexMap(dump(mem.memory))).toEqual(expectedMemory(c, after));
    return;
  }

  expect(r.outcome, `expected a fault, got ${JSON.stringify(summary(r))}`).toBe('fault');
  if (r.outcome !== 'fault') return;
  if ('gp' in c.expect) {
    expect(r.vector).toBe(13);
    expect(r.errorCode).toBe(0);
    expect(changedUpdates(r)).toEqual([]);
  } else {
    expect(r.vector).toBe(14);
    if (r.vector !== 14) return;
    expect(hex(r.errorCode)).toBe(hex(c.expect.pf));
    expect(hex(toBigInt(r.cr2))).toBe(hex(c.access.va));
    // The updates of a faulting walk are the ones the processor may make: exactly the
    // upper-level A bits the case lists.
    expect(changedUpdates(r)).toEqual(afterSorted);
  }
  // Applying a faulting access leaves every qword at its input value or at a permitted one.
  const mem = stateOf(c);
  performAccess(mem, access);
  const allowed = new Map<number, Set<string>>();
  for (const [pa, v] of c.memory) allowed.set(pa, new Set([hex(v)]));
  for (const [pa, v] of after) allowed.get(pa)?.add(hex(v));
  for (const [pa, v] of dump(mem.memory)) {
    const ok = allowed.get(pa);
    expect(ok === undefined ? false : ok.has(hex(v)), `qword ${hex(pa)} became ${hex(v)}`).toBe(true);
  }
}

function summary(r: WalkResult): object {
  return r.outcome === 'ok'
    ? { outcome: 'ok', pa: hex(r.pa) }
    : { outcome: 'fault', vector: r.vector, errorCode: hex(r.errorCode) };
}

export type { PhysAddr };
