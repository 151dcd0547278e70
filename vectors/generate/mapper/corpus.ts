import type { CorpusFile } from '../corpus.ts';
import { curatedMapperVectors } from './curated-mapper.ts';
import { generateMapperVectors } from './generate-mapper.ts';

/** The generated mapper files: fixed seeds and counts (docs/vectors.md lists them). */
export const GENERATED_MAPPER: readonly { readonly seed: number; readonly count: number }[] = [
  { seed: 1, count: 250 }, { seed: 2, count: 250 },
];

/** Every file of vectors/mapper. */
export function mapperCorpusFiles(): CorpusFile[] {
  return [
    { name: 'curated.jsonl', description: 'one scenario per mapper result kind and hugepage policy, on four CPU profiles', build: curatedMapperVectors },
    ...GENERATED_MAPPER.map(({ seed, count }): CorpusFile => ({
      name: `generated-s${seed}.jsonl`, seed, count,
      description: `${count} random operation lists from fast-check seed ${seed} (vectors/generate/mapper/mapper-arbitrary.ts)`,
      build: () => generateMapperVectors(seed, count),
    })),
  ];
}
