/**
 * The paging model's public API: 4-level paging as SDM Vol. 3A chapter 4 defines it.
 * Start with `walk` (one access, its permitted outcome and why) and `validateState`.
 */
export * from './u64.ts';
export * from './addr.ts';
export { PhysMemory } from './memory.ts';
export * from './types.ts';
export * as entry from './entry.ts';
export * as regs from './regs.ts';
export { modeOf, type Mode } from './mode.ts';
export { validateState, validateAccess, type StateProblem } from './state.ts';
export { walk, walkWithMode } from './walk.ts';
export { performAccess, performAccessUntraced, applyUpdates } from './access.ts';
export {
  permittedOutcome, judgePaging, expectToJson,
  type PermittedOutcome, type Expectation, type ObservedOutcome, type PagingDiff, type MemoryExpectation, type ExpectJson,
} from './expectation.ts';
export { TlbModel, type CachedTranslation, type CachedStructureEntry, type PermittedResult } from './tlb.ts';
export { Mmu } from './mmu.ts';
export { isCanonical } from './walk-core.ts';

// Page-table management: address spaces, frames, layouts (docs/mapper.md).
export { AddressSpace, slotBase, type Ownership } from './address-space.ts';
export { RangeFrameAllocator, type FrameAllocator, type PhysRange, type FramesExhausted, type BadFrameRange } from './frames.ts';
export { pageFlags, flagsOfLeaf, leafBits, WRITE_BACK, type PageFlags, type CacheBits } from './mapper-flags.ts';
export { describeMapperError, type MapperError } from './mapper-errors.ts';
export { ok, err, type Result, type Ok, type Err } from './mapper-result.ts';
export {
  identityLayout, offsetLayout, mapLinearRange, LinearLayout, RecursiveLayout, type TableLayout, type RangeFailure, type RangeSummary,
} from './layouts.ts';
export type { MapperConfig } from './mapper-entries.ts';
export type { MapOptions, MapOutcome, UnmapOutcome, MappedPage, OnHugePage } from './mapper.ts';
