/**
 * A small paging corpus for the report's tests, made by the vector generator from
 * scenarios that a WP-blind implementation gets wrong in some and right in most: every
 * common CPU profile × access type × CR0.WP × leaf R/W × page size, plus not-present
 * leaves. Expectations and clauses come from the model (makePagingVector).
 */
import { writeFileSync } from 'node:fs';
import type { Vector } from '../../harness/types.ts';
import { P, RW, US } from '../../model/paging/entry.ts';
import { ALL_ACCESS_TYPES, accessOptions } from '../../vectors/generate/accesses.ts';
import { makePagingVector } from '../../vectors/generate/paging-vector.ts';
import { COMMON_PROFILES } from '../../vectors/generate/profiles.ts';
import { LEAF_LEVEL, buildScenario, type PageSizeName } from '../../vectors/generate/scenario.ts';
import { formatVectorFile } from '../../vectors/io/write.ts';

export function testVectors(): Vector[] {
  const out: Vector[] = [];
  let n = 0;
  for (const profile of COMMON_PROFILES) {
    for (const a of ALL_ACCESS_TYPES) {
      for (const wp of [true, false]) {
        for (const size of ['4K', '2M', '1G'] as PageSizeName[]) {
          if (size === '1G' && !profile.features.includes('pdpe1gb')) continue;
          for (const leaf of ['rw', 'ro', 'absent'] as const) {
            const clear = leaf === 'ro' ? RW : leaf === 'absent' ? P : 0;
            // U/S on every level for user accesses; the leaf also loses R/W or P.
            const us = a.cpl === 3 ? US : 0;
            const entries = { 4: { set: us }, 3: { set: us }, 2: { set: us }, 1: { set: us }, [LEAF_LEVEL[size]]: { set: us, clear } };
            const { state, access } = buildScenario({ profile, ...accessOptions(a), wp, pageSize: size, entries });
            const id = `rt-${String(++n).padStart(4, '0')}`;
            const title = `${a.words}, ${size} page, leaf ${leaf}, CR0.WP=${wp ? 1 : 0}, ${profile.name}`;
            out.push(makePagingVector(id, title, state, access));
          }
        }
      }
    }
  }
  return out;
}

/** Writes the corpus as one JSONL file; returns the number of vectors. */
export function writeTestCorpus(file: string): number {
  const vectors = testVectors();
  writeFileSync(file, formatVectorFile(vectors));
  return vectors.length;
}
