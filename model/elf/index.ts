/** The ELF64 loader model: parse, validate under a loader profile, plan, load into the paging model. */
export { parseElf } from './parse.ts';
export { readDynamic } from './dynamic.ts';
export { validate, type ValidateOptions } from './validate.ts';
export { planLoad, physOf, type LoadOptions, type LoadPlan, type PageRange, type PlannedSegment, type PlanResult } from './plan.ts';
export { loadElf, type LoadIntoOptions, type LoadResult } from './load.ts';
export { PROFILES, PROFILE_NAMES, type LoaderProfile, type ProfileName, type Placement, type Severity } from './profiles.ts';
export type { Diagnostic } from './diagnostics.ts';
export type { ElfError, ElfResult } from './errors.ts';
export type { AppliedRelocation } from './relocate.ts';
export * from './types.ts';
export { readVirtual, viewPage, type PageView } from './readback.ts';
