import type { PagingClauseId } from '../../spec/clauses/paging.ts';
import { PAGING_CLAUSES } from '../../spec/clauses/paging.ts';
import type { Feature } from '../../model/paging/types.ts';

/**
 * The CPU profiles the corpus is built for: the MAXPHYADDRs DESIGN.md names (36, 40,
 * 46, 52) with the feature sets real processors and emulators report. Every clause that
 * can apply under a profile is exercised by vectors that fit it (vectors/paging tests).
 */
export interface CpuProfile {
  readonly name: string;
  readonly maxphyaddr: number;
  readonly features: readonly Feature[];
}

const ALL: readonly Feature[] = ['nx', 'smep', 'smap', 'pku', 'pdpe1gb'];

export const COMMON_PROFILES: readonly CpuProfile[] = [
  { name: 'p36-nx', maxphyaddr: 36, features: ['nx'] },
  { name: 'p36-all', maxphyaddr: 36, features: ALL },
  { name: 'p40-all', maxphyaddr: 40, features: ALL },
  { name: 'p46-all', maxphyaddr: 46, features: ALL },
  { name: 'p46-nopku', maxphyaddr: 46, features: ['nx', 'smep', 'smap', 'pdpe1gb'] },
  { name: 'p52-all', maxphyaddr: 52, features: ALL },
];

/**
 * Clauses that no single-access vector can exercise, and why. The properties and the
 * model's unit tests cover them (docs/vectors.md lists them).
 */
export const NOT_SINGLE_ACCESS: ReadonlyMap<PagingClauseId, string> = new Map<PagingClauseId, string>([
  ...PAGING_CLAUSES.filter((c) => c.id.startsWith('PG.TLB.')).map((c): [PagingClauseId, string] =>
    [c.id, 'about what a TLB may cache across several accesses and invalidations; a paging vector is one access from an empty TLB']),
  ['PG.STATE.FEATURE_BITS', 'describes register states a processor cannot be in; the reader rejects such vectors (semantic problem) instead of running them'],
  ['PG.STATE.MAXPHYADDR', 'a MAXPHYADDR outside 32..52 cannot be expressed: the schema and the reader reject it'],
  ['PG.CR3.RESERVED', 'a CR3 with bits above MAXPHYADDR cannot be loaded, so no access happens under it; the reader rejects such vectors'],
]);

/** The paging clauses a single-access vector can exercise. */
export function singleAccessClauses(): PagingClauseId[] {
  return PAGING_CLAUSES.map((c) => c.id).filter((id) => !NOT_SINGLE_ACCESS.has(id));
}

/**
 * Whether `clause` can be exercised by a vector fitting `profile` (a feature the
 * clause needs is missing, or the profile leaves no room for it).
 */
export function clauseApplies(clause: PagingClauseId, profile: CpuProfile): boolean {
  const has = (f: Feature) => profile.features.includes(f);
  if (clause === 'PG.RSVD.MAXPHYADDR') return profile.maxphyaddr < 52; // bits 51:52 is no bit at all
  if (clause === 'PG.RSVD.PDPTE.PS_NO_1G') return !has('pdpe1gb');
  if (clause === 'PG.WALK.PDPTE.PS' || clause === 'PG.RSVD.PDPTE_1G.LOW') return has('pdpe1gb');
  if (clause.startsWith('PG.PERM.SMEP.FETCH')) return has('smep');
  if (clause.startsWith('PG.PERM.SMAP.') && clause !== 'PG.PERM.SMAP.OFF') return has('smap');
  if (clause.startsWith('PG.PK.') && clause !== 'PG.PK.DISABLED') return has('pku');
  if (clause === 'PG.PF.EC.PK') return has('pku');
  if (clause === 'PG.PERM.XD.COMBINE' || clause.endsWith('.FETCH_XD')) return has('nx');
  return true;
}
