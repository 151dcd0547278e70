/**
 * The 4-level walk itself (SDM Vol. 3A §4.5.4), written once and used twice: by `walk`
 * (which builds a full result with a trace) and by `Mmu` (which wants speed and reads
 * the scratch record directly). It allocates nothing: entries are read as 32-bit
 * halves straight from the memory's frames and the outcome goes into a reusable record.
 */
import type { PagingClauseId } from '../../spec/clauses/paging.ts';
import { A, ADDR_1G_LO, ADDR_2M_LO, ADDR_4K_LO, D, G, P, PS, RW, US, XD_HI } from './entry.ts';
import type { PhysAddr } from './addr.ts';
import type { PhysMemory } from './memory.ts';
import type { Mode } from './mode.ts';
import { keyDenial, pageFaultErrorCode, pageRightsDecision, reservedBitRule, type AccessDecision, type FaultKind } from './rules.ts';
import { PAGE_1G, PAGE_2M, PAGE_4K, type AccessKind, type Level, type PageSize } from './types.ts';

const TWO32 = 0x1_0000_0000;

/** Outcome codes of the scratch record. */
export const OK = 0;
export const GP = 13;
export const PF = 14;

/** The walk's reusable output record. Arrays are indexed by step (0 = PML4E). */
export class WalkScratch {
  status = OK;
  /** Level of the first entry read: 4, or lower when the walk began at a cached entry. */
  firstLevel: Level = 4;
  /** Number of entries read. */
  steps = 0;
  readonly entryPa = new Float64Array(4);
  readonly lo = new Uint32Array(4);
  readonly hi = new Uint32Array(4);
  pa = 0;
  pageSize: PageSize = PAGE_4K;
  writable = false;
  user = false;
  /** Executable under the combined XD (always true with NXE = 0). */
  executable = false;
  pkey = 0;
  global = false;
  errorCode = 0;
  faultKind: FaultKind = 'not-present';
  /** The rule that ended the walk (fault cause) or, on success, the leaf rule. */
  cause: PagingClauseId = 'PG.WALK.PAGE_4K';
  /** Page-rights decision, on success and on protection faults. */
  decision: AccessDecision | null = null;
  keyRule: PagingClauseId | null = null;
}

const NOT_PRESENT: Record<Level, PagingClauseId> = {
  4: 'PG.WALK.PML4E.NOT_PRESENT', 3: 'PG.WALK.PDPTE.NOT_PRESENT', 2: 'PG.WALK.PDE.NOT_PRESENT', 1: 'PG.WALK.PTE.NOT_PRESENT',
};

// One remembered frame per level: consecutive walks mostly share their upper tables.
const memoMemory: (PhysMemory | null)[] = [null, null, null, null, null];
const memoGeneration = new Float64Array(5);
const memoPfn = new Float64Array(5);
const memoWords: (Uint32Array | undefined)[] = [undefined, undefined, undefined, undefined, undefined];

function frameAt(memory: PhysMemory, level: Level, pa: number): Uint32Array | undefined {
  const pfn = Math.floor(pa / 4096);
  if (memoMemory[level] === memory && memoPfn[level] === pfn && memoGeneration[level] === memory.generation) return memoWords[level];
  const words = memory.frameWords(pa as never);
  if (words !== undefined) {
    memoMemory[level] = memory;
    memoPfn[level] = pfn;
    memoGeneration[level] = memory.generation;
    memoWords[level] = words;
  }
  return words;
}

/** PG.CANON.GP: bits 63:47 of the address all equal. */
export function isCanonical(vaHi: number, vaLo: number): boolean {
  const top = vaHi >>> 15; // bits 63:47, 17 bits
  return top === 0 || top === 0x1ffff;
}

/**
 * Walks `va` (as halves) under `mode`, writing the outcome into `out`. Memory is only
 * read; the A/D updates the access implies are left for the caller to apply.
 */
export function walkCore(
  memory: PhysMemory, mode: Mode, vaHi: number, vaLo: number, kind: AccessKind, implicit: boolean, out: WalkScratch,
): void {
  walkFrom(memory, mode, vaHi, vaLo, kind, implicit, out, FROM_CR3);
}

/**
 * Where a walk begins: at the PML4 (from CR3), or — for a processor that kept an upper
 * entry in a paging-structure cache (PG.TLB.MAY_CACHE, SDM §4.10.3) — at the table a
 * cached entry of level `level + 1` points to, with the rights combined so far.
 */
export interface WalkStart {
  /** Level of the first entry to read from memory (4 = PML4E). */
  readonly level: Level;
  /** The table holding that entry; undefined means CR3's PML4. */
  readonly tableHi?: number;
  readonly tableLo?: number;
  readonly writable: boolean;
  readonly user: boolean;
  /** XD was set in a cached entry above (counts only under NXE). */
  readonly xd: boolean;
}

const FROM_CR3: WalkStart = { level: 4, writable: true, user: true, xd: false };

/** `walkCore` from a given start (see `WalkStart`). */
export function walkFrom(
  memory: PhysMemory, mode: Mode, vaHi: number, vaLo: number, kind: AccessKind, implicit: boolean, out: WalkScratch, start: WalkStart,
): void {
  out.steps = 0;
  out.firstLevel = start.level;
  out.decision = null;
  out.keyRule = null;
  if (!isCanonical(vaHi, vaLo)) {
    out.status = GP;
    out.errorCode = 0;
    out.cause = 'PG.CANON.GP';
    return;
  }
  let baseHi = start.tableHi ?? mode.pml4Hi;
  let baseLo = start.tableLo ?? mode.pml4Lo;
  let writable = start.writable;
  let user = start.user;
  let xd = mode.nxe && start.xd;
  for (let level = start.level; ; level = (level - 1) as Level) {
    const index = level === 4 ? (vaHi >>> 7) & 0x1ff
      : level === 3 ? ((vaHi & 0x7f) << 2) | (vaLo >>> 30)
      : level === 2 ? (vaLo >>> 21) & 0x1ff
      : (vaLo >>> 12) & 0x1ff;
    const entryPa = baseHi * TWO32 + baseLo + index * 8;
    const words = frameAt(memory, level, entryPa);
    const w = (entryPa % 4096) >>> 2;
    const lo = words === undefined ? 0 : words[w]!;
    const hi = words === undefined ? 0 : words[w + 1]!;
    const s = out.steps++;
    out.entryPa[s] = entryPa;
    out.lo[s] = lo;
    out.hi[s] = hi;
    if ((lo & P) === 0) return fault(out, mode, 'not-present', NOT_PRESENT[level], kind, implicit, false);
    const rsvd = reservedBitRule(level, lo, hi, mode);
    if (rsvd !== null) return fault(out, mode, 'reserved', rsvd, kind, implicit, false);
    writable = writable && (lo & RW) !== 0;
    user = user && (lo & US) !== 0;
    xd = xd || (mode.nxe && (hi & XD_HI) !== 0);
    // A PML4E with PS = 1 ended the walk at the reserved-bit check (PG.RSVD.PML4E.PS).
    const leaf = level === 1 || (lo & PS) !== 0;
    if (!leaf) {
      baseHi = hi & mode.addrHi;
      baseLo = (lo & ADDR_4K_LO) >>> 0;
      continue;
    }
    const frameHi = hi & mode.addrHi;
    if (level === 3) {
      out.pageSize = PAGE_1G;
      out.pa = frameHi * TWO32 + ((lo & ADDR_1G_LO) >>> 0) + (vaLo & 0x3fff_ffff);
      out.cause = 'PG.WALK.PDPTE.PS';
    } else if (level === 2) {
      out.pageSize = PAGE_2M;
      out.pa = frameHi * TWO32 + ((lo & ADDR_2M_LO) >>> 0) + (vaLo & 0x1f_ffff);
      out.cause = 'PG.WALK.PDE.PS';
    } else {
      out.pageSize = PAGE_4K;
      out.pa = frameHi * TWO32 + ((lo & ADDR_4K_LO) >>> 0) + (vaLo & 0xfff);
      out.cause = 'PG.WALK.PAGE_4K';
    }
    out.writable = writable;
    out.user = user;
    out.executable = !xd;
    out.pkey = (hi >>> 27) & 0xf;
    out.global = (lo & G) !== 0;
    const decision = pageRightsDecision(mode, writable, user, xd, kind, implicit);
    const keyRule = keyDenial(mode, user, hi, kind, implicit);
    out.decision = decision;
    out.keyRule = keyRule;
    if (!decision.allowed) return fault(out, mode, 'protection', decision.clauses[0]!, kind, implicit, keyRule !== null);
    if (keyRule !== null) return fault(out, mode, 'protection', keyRule, kind, implicit, true);
    out.status = OK;
    return;
  }
}

function fault(
  out: WalkScratch, mode: Mode, faultKind: FaultKind, cause: PagingClauseId, kind: AccessKind, implicit: boolean, pk: boolean,
): void {
  out.status = PF;
  out.faultKind = faultKind;
  out.cause = cause;
  out.errorCode = pageFaultErrorCode(mode, faultKind, kind, implicit, pk);
}

/**
 * Writes the A/D updates of a successful walk into memory, entry by entry in walk order
 * (PG.AD.ACCESSED, PG.AD.DIRTY.WRITE_ONLY, PG.AD.DIRTY.LEAF_ONLY).
 */
export function applySuccessUpdates(memory: PhysMemory, out: WalkScratch, kind: AccessKind): void {
  for (let s = 0; s < out.steps; s++) {
    const after = successLo(out, s, kind);
    if (after !== out.lo[s]) memory.writeLo(out.entryPa[s]! as PhysAddr, after);
  }
}

/**
 * The value step `s` takes after a successful access: A set (PG.AD.ACCESSED) and, in
 * the leaf of a write, D set (PG.AD.DIRTY.WRITE_ONLY, PG.AD.DIRTY.LEAF_ONLY).
 */
export function successLo(out: WalkScratch, s: number, kind: AccessKind): number {
  const isLeaf = s === out.steps - 1;
  return (out.lo[s]! | A | (isLeaf && kind === 'write' ? D : 0)) >>> 0;
}
