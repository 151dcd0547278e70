/**
 * Suite `elf`: an ELF file (base64) and loader options in; the load plan (pages, rights,
 * physical placement, relocations, probe reads) or the refusal with its clauses out.
 * Formats, model answer and judge live in vectors/elf/io.ts.
 */
import { elfModelAnswer, judgeElf, parseElfInput } from '../../vectors/elf/io.ts';
import type { DiffEntry } from '../results.ts';
import type { JsonObject, Vector } from '../types.ts';
import type { SuiteDefinition } from './types.ts';

export const definition: SuiteDefinition = {
  suite: 'elf',
  modelAnswer: (input: JsonObject) => elfModelAnswer(parseElfInput(input)),
  judge(vector: Vector, output: JsonObject): DiffEntry[] {
    return judgeElf(parseElfInput(vector.input), vector.expect, output);
  },
};
