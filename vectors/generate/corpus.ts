import type { Vector } from '../../harness/types.ts';
import { CURATED_GROUPS, curatedFileName, curatedVectors } from './curated/index.ts';
import { generatePagingVectors } from './generate-paging.ts';

/** One committed corpus file and how to rebuild it. */
export interface CorpusFile {
  /** File name inside vectors/<suite>/. */
  readonly name: string;
  readonly description: string;
  /** For generated files: the `x64spec vectors generate` arguments that rebuild it. */
  readonly seed?: number;
  readonly count?: number;
  build(): Vector[];
}

/** The generated paging files: fixed seeds and counts (docs/vectors.md lists them). */
export const GENERATED_PAGING: readonly { readonly seed: number; readonly count: number }[] = [
  { seed: 1, count: 1500 }, { seed: 2, count: 1500 }, { seed: 3, count: 1500 }, { seed: 4, count: 1500 },
];

export function generatedFileName(seed: number): string {
  return `generated-s${seed}.jsonl`;
}

/** Every file of vectors/paging, curated groups first, then the generated ones. */
export function pagingCorpusFiles(): CorpusFile[] {
  return [
    ...CURATED_GROUPS.map((g): CorpusFile => ({ name: curatedFileName(g), description: g.description, build: () => curatedVectors(g) })),
    ...GENERATED_PAGING.map(({ seed, count }): CorpusFile => ({
      name: generatedFileName(seed), seed, count,
      description: `${count} random cases from fast-check seed ${seed} (vectors/generate/paging-arbitrary.ts)`,
      build: () => generatePagingVectors(seed, count),
    })),
  ];
}
