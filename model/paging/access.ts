import type { PhysMemory } from './memory.ts';
import type { Access, AdUpdate, PagingState, WalkResult } from './types.ts';
import { walk } from './walk.ts';

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
