import { US } from '../../../model/paging/entry.ts';
import type { PageSizeName } from '../scenario.ts';
import type { PagingClauseId } from '../../../spec/clauses/paging.ts';
import type { CpuProfile } from '../profiles.ts';
import type { ScenarioOptions } from '../scenario.ts';

/** One hand-written vector: a title, how to build it, and the rule it shows if the model does not name it. */
export interface CuratedCase {
  readonly title: string;
  readonly options: Omit<ScenarioOptions, 'profile'>;
  readonly clauses?: readonly PagingClauseId[];
}

/** A file of curated vectors: `vectors/paging/curated-<name>.jsonl`. */
export interface CuratedGroup {
  readonly name: string;
  /** What the file holds, for docs/vectors.md and the CLI. */
  readonly description: string;
  /** The profiles the group is built for (each case once per profile). */
  readonly profiles: readonly CpuProfile[];
  cases(profile: CpuProfile): CuratedCase[];
}

export const has = (p: CpuProfile, f: CpuProfile['features'][number]): boolean => p.features.includes(f);

/** The page sizes a profile can map: 1 GiB only with pdpe1gb (PG.RSVD.PDPTE.PS_NO_1G). */
export function pageSizes(p: CpuProfile): PageSizeName[] {
  return has(p, 'pdpe1gb') ? ['4K', '2M', '1G'] : ['4K', '2M'];
}

/** U/S = 1 at every level: a user-mode address (PG.PERM.US.COMBINE). */
export const USER_ALL = { 4: { set: US }, 3: { set: US }, 2: { set: US }, 1: { set: US } } as const;
