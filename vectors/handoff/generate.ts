/**
 * Writes the `handoff` corpus (vectors/handoff/states.jsonl) from cases.ts; expectations
 * come from the checker. Run: npx tsx vectors/handoff/generate.ts
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { handoffCorpusText } from './cases.ts';

export const HANDOFF_CORPUS_FILE = join(dirname(fileURLToPath(import.meta.url)), 'states.jsonl');

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(HANDOFF_CORPUS_FILE, handoffCorpusText());
  process.stdout.write(`wrote ${HANDOFF_CORPUS_FILE}\n`);
}
