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

const ADDR_CLAUSE = ['', 'PG.WALK.PTE.ADDR', 'PG.WALK.PDE.ADDR', 'PG.WALK.PDPTE.ADDR', 'PG.WALK.PML4E.ADDR'] as const;
const NOT_PRESENT_CLAUSE = ['', 'PG.WALK.PTE.NOT_PRESENT', 'PG.WALK.PDE.NOT_PRESENT', 'PG.WALK.PDPTE.NOT_PRESENT', 'PG.WALK.PML4E.NOT_PRESENT'] as const;

/**
 * The trace and the deciding clauses a result must carry (DESIGN.md: each outcome records
 * the clauses that decided it): one trace step per entry read, in order, with its address
 * and value; the cause among the clauses; the error-code, A/D and canonical clauses that
 * the outcome implies. (A case's own tags may name rules it shows *not* applying, so they
 * are not required among the deciding clauses.)
 */
function checkExplanation(c: HandCase, r: WalkResult): void {
  const mem = new Map(c.memory.map(([pa, v]) => [pa, v]));
  r.trace.forEach((t, i) => {
    expect(t.level).toBe(4 - i);
    expect(hex(toBigInt(t.entry))).toBe(hex(mem.get(t.entryPa) ?? 0n));
    expect(t.clauses[0]).toBe(ADDR_CLAUSE[t.level]);
    expect(t.note.length).toBeGreaterThan(0);
  });
  expect(r.clauses).toContain(r.cause);
  const upperHalf = (c.access.va >> 47n) === 0x1ffffn;
  if (r.outcome === 'fault' && r.vector === 13) {
    expect(r.cause).toBe('PG.CANON.GP');
    expect([...r.clauses].sort()).toEqual(['PG.CANON.GP', 'PG.CANON.NO_WALK']);
    return;
  }
  expect(r.clauses.includes('PG.CANON.UPPER_HALF')).toBe(upperHalf);
  expect(r.clauses).toContain('PG.CR3.PML4_BASE');
  for (const t of r.trace) expect(r.clauses).toContain(ADDR_CLAUSE[t.level]);
  const last = r.trace[r.trace.length - 1]!;
  if (r.outcome === 'ok') {
    expect(r.cause).toBe(r.pageSize === 4096 ? 'PG.WALK.PAGE_4K' : r.pageSize === 0x20_0000 ? 'PG.WALK.PDE.PS' : 'PG.WALK.PDPTE.PS');
    expect(last.clauses).toEqual([ADDR_CLAUSE[last.level], r.cause]);
    expect(r.clauses).toContain('PG.AD.ACCESSED');
    for (const id of ['PG.AD.DIRTY.WRITE_ONLY', 'PG.AD.DIRTY.LEAF_ONLY'] as const) expect(r.clauses.includes(id)).toBe(c.access.kind === 'write');
    expect(r.clauses.includes('PG.AD.STICKY')).toBe(r.updates.length === 0);
    return;
  }
  const ec = r.errorCode;
  const pfClauses = ['PG.PF.VECTOR', 'PG.PF.CR2', 'PG.PF.EC.P', 'PG.PF.EC.US'];
  for (const id of pfClauses) expect(r.clauses).toContain(id);
  expect(r.clauses.includes('PG.PF.EC.WR')).toBe(c.access.kind === 'write');
  expect(r.clauses.includes('PG.PF.EC.RSVD')).toBe((ec & 8) !== 0);
  expect(r.clauses.includes('PG.PF.EC.ID')).toBe(c.access.kind === 'fetch');
  expect(r.clauses.includes('PG.PF.EC.PK')).toBe((ec & 0x20) !== 0);
  expect(r.clauses).toContain('PG.AD.FAULT_LEAF_UNCHANGED');
  expect(r.clauses.includes('PG.AD.FAULT_MAY_SET_UPPER')).toBe(r.updates.length > 0);
  if ((ec & 1) === 0) {
    expect(r.cause).toBe(NOT_PRESENT_CLAUSE[last.level]);
    expect(r.clauses).toContain('PG.WALK.NOT_PRESENT_IGNORES_REST');
    expect(last.clauses).toEqual([ADDR_CLAUSE[last.level], r.cause]);
  } else if ((ec & 8) !== 0) {
    expect(r.cause).toMatch(/^PG\.RSVD\./);
    expect(r.clauses).toContain('PG.RSVD.STOPS_WALK');
    expect(last.clauses).toEqual([ADDR_CLAUSE[last.level], r.cause]);
  } else {
    // A protection fault: the right or key that denied it, from the leaf's step.
    expect(r.cause).toMatch(/^PG\.(PERM|PK)\./);
    const leafRule = ['', 'PG.WALK.PAGE_4K', 'PG.WALK.PDE.PS', 'PG.WALK.PDPTE.PS'][last.level];
    expect(last.clauses).toEqual([ADDR_CLAUSE[last.level], leafRule]);
  }
}

/** Runs the model on one hand case and checks the whole outcome against it. */
export function checkHandCase(c: HandCase): void {
  const state = stateOf(c);
  const access = accessOf(c);
  const before = dump(state.memory);
  const r = walk(state, access);
  checkExplanation(c, r);
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
