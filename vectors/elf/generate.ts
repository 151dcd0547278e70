/**
 * Writes the `elf` corpus: vectors/elf/rules.jsonl (synthetic images, one or more per
 * ELF.* rule) and vectors/elf/kernels.jsonl (the gcc-built test kernels). Expectations
 * come from the model. Run: npx tsx vectors/elf/generate.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../../model/elf/testdata/build.ts';
import { corpusText, kernelCases, syntheticCases } from './cases.ts';

export const CORPUS_DIR = dirname(fileURLToPath(import.meta.url));
export const RULES_FILE = join(CORPUS_DIR, 'rules.jsonl');
export const KERNELS_FILE = join(CORPUS_DIR, 'kernels.jsonl');

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(RULES_FILE, corpusText(syntheticCases()));
  const paths = ensureBuilt();
  writeFileSync(KERNELS_FILE, corpusText(kernelCases((name) => new Uint8Array(readFileSync(paths[name])))));
  process.stdout.write(`wrote ${RULES_FILE} and ${KERNELS_FILE}\n`);
}
