import type { PhysMemory } from './memory.ts';
import type { Access, AdUpdate, PagingState, WalkResult } from './types.ts';
import { modeOf } from './mode.ts';
import { walk } from './walk.ts';
import { applySuccessUpdates, OK, walkCore, WalkScratch } from './walk-core.ts';

/**
 * Performs an access as a processor with an empty TLB would: walks, and on success
 * writes the A/D updates to memory. On a fault nothing is written — one of the
 * permitted outcomes (PG.AD.FAULT_MAY_SET_UPPER allows but does not require A updates).
 */
export function performAccess(state: PagingState, access: Access): WalkResult {
  const result = walk(state, access);
  if (result.outcome === 'ok') applyUpdates(state.memory, result.updates);
  return result;
}

/** Writes A/D updates into memory. */
export function applyUpdates(memory: PhysMemory, updates: readonly AdUpdate[]): void {
  for (const u of updates) memory.write64(u.pa, u.after);
}

/**
 * `performAccess` without the trace and clause lists, for callers that answer many
 * accesses and need only the outcome (the model adapter): walks, applies the A/D
 * updates of a success, and returns the walk record (valid until the next call with
 * the same `out`).
 */
export function performAccessUntraced(state: PagingState, access: Access, out: WalkScratch = new WalkScratch()): WalkScratch {
  walkCore(state.memory, modeOf(state.cpu, state.regs), access.va.hi, access.va.lo, access.kind, access.implicit, out);
  if (out.status === OK) applySuccessUpdates(state.memory, out, access.kind);
  return out;
}
