import type { Vector } from '../../../harness/types.ts';
import { buildScenario } from '../scenario.ts';
import { makePagingVector } from '../paging-vector.ts';
import { group as walk } from './walk.ts';
import { group as canonical } from './canonical.ts';
import { group as reserved } from './reserved.ts';
import { group as entryBits } from './entry-bits.ts';
import { group as ad } from './ad.ts';
import { group as rights, sweepGroup as rightsSweep } from './rights.ts';
import { group as keys } from './keys.ts';
import type { CuratedGroup } from './types.ts';

/** The curated groups, in file order; each becomes `vectors/paging/curated-<name>.jsonl`. */
export const CURATED_GROUPS: readonly CuratedGroup[] = [walk, canonical, reserved, entryBits, ad, rights, keys, rightsSweep];

/** The file name of a curated group. */
export function curatedFileName(g: CuratedGroup): string {
  return `curated-${g.name}.jsonl`;
}

/** Builds one curated group's vectors, profile by profile, with ids `pg-<group>-<profile>-NNNN`. */
export function curatedVectors(g: CuratedGroup): Vector[] {
  const out: Vector[] = [];
  for (const profile of g.profiles) {
    g.cases(profile).forEach((c, i) => {
      const id = `pg-${g.name}-${profile.name}-${String(i + 1).padStart(4, '0')}`;
      const { state, access } = buildScenario({ ...c.options, profile });
      out.push(makePagingVector(id, c.title, state, access, c.clauses ?? []));
    });
  }
  return out;
}

export type { CuratedGroup };
