/**
 * `walk`: the reference answer for one access — the translation or the fault, the
 * A/D updates, a level-by-level trace and the clauses that decided the outcome.
 */
import type { PagingClauseId } from '../../spec/clauses/paging.ts';
import type { PhysAddr, VirtAddr } from './addr.ts';
import { A } from './entry.ts';
import { modeOf, type Mode } from './mode.ts';
import { errorCodeClauses } from './rules.ts';
import { u64 } from './u64.ts';
import { GP, OK, successLo, walkFrom, WalkScratch, type WalkStart } from './walk-core.ts';
import {
  LEVEL_NAMES, type Access, type AdUpdate, type Level, type PagingState, type TraceStep, type WalkResult,
} from './types.ts';

const ADDR_CLAUSE: Record<Level, PagingClauseId> = {
  4: 'PG.WALK.PML4E.ADDR', 3: 'PG.WALK.PDPTE.ADDR', 2: 'PG.WALK.PDE.ADDR', 1: 'PG.WALK.PTE.ADDR',
};

const scratch = new WalkScratch();

/**
 * Translates one access under `state`. Pure: memory is not changed; a successful
 * result lists the A/D updates the processor makes (apply them with `performAccess`),
 * a fault lists the A updates it may make (PG.AD.FAULT_MAY_SET_UPPER).
 *
 * The state must be one `validateState` accepts; the walk does not re-check it.
 */
export function walk(state: PagingState, access: Access): WalkResult {
  return walkWithMode(state, modeOf(state.cpu, state.regs), access);
}

const FROM_CR3: WalkStart = { level: 4, writable: true, user: true, xd: false };

/** `walk` with the mode already decoded (for callers that walk many addresses). */
export function walkWithMode(state: PagingState, mode: Mode, access: Access): WalkResult {
  return walkWithModeFrom(state, mode, access, FROM_CR3);
}

/**
 * `walkWithMode` beginning at a cached upper-level entry instead of CR3 (a
 * paging-structure-cache hit, PG.TLB.MAY_CACHE): only the entries below it are read,
 * updated and traced.
 */
export function walkWithModeFrom(state: PagingState, mode: Mode, access: Access, start: WalkStart): WalkResult {
  const out = scratch;
  walkFrom(state.memory, mode, access.va.hi, access.va.lo, access.kind, access.implicit, out, start);
  if (out.status === GP) {
    return { outcome: 'fault', vector: 13, errorCode: 0, updates: [], trace: [], cause: 'PG.CANON.GP', clauses: ['PG.CANON.GP', 'PG.CANON.NO_WALK'] };
  }
  const trace = buildTrace(out);
  const upper: PagingClauseId[] = (access.va.hi & 0x8000) !== 0 ? ['PG.CANON.UPPER_HALF'] : [];
  const origin: PagingClauseId = start.level === 4 ? 'PG.CR3.PML4_BASE' : 'PG.TLB.MAY_CACHE';
  const walkClauses: PagingClauseId[] = [origin, ...trace.map((t) => ADDR_CLAUSE[t.level])];
  if (out.status === OK) {
    const updates: AdUpdate[] = [];
    for (let s = 0; s < out.steps; s++) {
      const after = successLo(out, s, access.kind);
      if (after !== out.lo[s]) updates.push(update(out, s, after));
    }
    const ad: PagingClauseId[] = ['PG.AD.ACCESSED'];
    if (access.kind === 'write') ad.push('PG.AD.DIRTY.WRITE_ONLY', 'PG.AD.DIRTY.LEAF_ONLY');
    if (updates.length === 0) ad.push('PG.AD.STICKY');
    return {
      outcome: 'ok',
      pa: out.pa as PhysAddr,
      pageSize: out.pageSize,
      rights: { writable: out.writable, user: out.user, executable: out.executable },
      pkey: out.pkey,
      global: out.global,
      updates,
      trace,
      cause: out.cause,
      clauses: dedupe([...upper, ...walkClauses, out.cause, ...out.decision!.clauses, ...keyClauses(mode, out, access), ...ad]),
    };
  }
  // A page fault: entries above the one that caused it may have had A set; that entry
  // and everything after it are untouched, and no D is set (PG.AD.FAULT_*).
  const updates: AdUpdate[] = [];
  const causeStep = out.steps - 1;
  for (let s = 0; s < causeStep; s++) {
    if ((out.lo[s]! & A) === 0) updates.push(update(out, s, (out.lo[s]! | A) >>> 0));
  }
  const ad: PagingClauseId[] = updates.length > 0 ? ['PG.AD.FAULT_MAY_SET_UPPER', 'PG.AD.FAULT_LEAF_UNCHANGED'] : ['PG.AD.FAULT_LEAF_UNCHANGED'];
  const cause: PagingClauseId[] = [out.cause];
  if (out.faultKind === 'reserved') cause.push('PG.RSVD.STOPS_WALK');
  if (out.faultKind === 'not-present') cause.push('PG.WALK.NOT_PRESENT_IGNORES_REST');
  if (out.faultKind === 'protection') cause.push(...out.decision!.clauses, ...keyClauses(mode, out, access));
  return {
    outcome: 'fault',
    vector: 14,
    errorCode: out.errorCode,
    cr2: access.va as VirtAddr,
    updates,
    trace,
    cause: out.cause,
    clauses: dedupe([...upper, ...walkClauses, ...cause, ...errorCodeClauses(out.errorCode, access.kind), ...ad]),
  };
}

/** Protection-key clauses that took part in deciding an access to the translated page. */
function keyClauses(mode: Mode, out: WalkScratch, access: Access): PagingClauseId[] {
  if (!mode.pke) return out.user && access.kind !== 'fetch' ? ['PG.PK.DISABLED'] : [];
  if (access.kind === 'fetch') return ['PG.PK.FETCH_UNAFFECTED'];
  if (!out.user) return ['PG.PK.USER_PAGES_ONLY'];
  const rule = out.keyRule;
  return rule === null ? ['PG.PK.KEY_FIELD'] : ['PG.PK.KEY_FIELD', rule];
}

function update(out: WalkScratch, s: number, afterLo: number): AdUpdate {
  return {
    pa: out.entryPa[s]! as PhysAddr,
    before: u64(out.hi[s]!, out.lo[s]!),
    after: u64(out.hi[s]!, afterLo),
    level: (out.firstLevel - s) as Level,
  };
}

function buildTrace(out: WalkScratch): TraceStep[] {
  const steps: TraceStep[] = [];
  for (let s = 0; s < out.steps; s++) {
    const level = (out.firstLevel - s) as Level;
    const last = s === out.steps - 1;
    const entry = u64(out.hi[s]!, out.lo[s]!);
    const name = LEVEL_NAMES[level];
    let clauses: PagingClauseId[] = [ADDR_CLAUSE[level]];
    let note = `${name} present; next table at its bits MAXPHYADDR-1:12`;
    if (last && out.status !== OK && out.faultKind !== 'protection') {
      clauses = [ADDR_CLAUSE[level], out.cause];
      note = out.faultKind === 'not-present' ? `${name} not present (P = 0): the walk ends in #PF`
        : `${name} has a reserved bit set (${out.cause}): the walk ends in #PF with RSVD = 1`;
    } else if (last) {
      // A successful walk or a protection fault ends at a leaf.
      const leaf = LEAF[level as LeafLevel];
      clauses = [ADDR_CLAUSE[level], leaf.clause];
      note = `${name} maps a ${leaf.size} page`;
    }
    steps.push({ level, entryPa: out.entryPa[s]! as PhysAddr, entry, clauses, note });
  }
  return steps;
}

// A PML4E is never a leaf (PG.RSVD.PML4E.PS): only levels 3..1 map a page.
type LeafLevel = Exclude<Level, 4>;
const LEAF: Record<LeafLevel, { readonly clause: PagingClauseId; readonly size: string }> = {
  3: { clause: 'PG.WALK.PDPTE.PS', size: '1-GiB' },
  2: { clause: 'PG.WALK.PDE.PS', size: '2-MiB' },
  1: { clause: 'PG.WALK.PAGE_4K', size: '4-KiB' },
};

function dedupe<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}
