/**
 * Writes the `uefi` corpus (vectors/uefi/calls.jsonl) from cases.ts; expectations come
 * from the model. Run: npx tsx vectors/uefi/generate.ts
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uefiCorpusText } from './cases.ts';

export const UEFI_CORPUS_FILE = join(dirname(fileURLToPath(import.meta.url)), 'calls.jsonl');

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(UEFI_CORPUS_FILE, uefiCorpusText());
  process.stdout.write(`wrote ${UEFI_CORPUS_FILE}\n`);
}
