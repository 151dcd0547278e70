/**
 * Suite `uefi`: a firmware, its initial memory map, injected firmware activity and a
 * sequence of boot/runtime-service calls in; one status (and map details) per call out.
 * Formats, model answer and judge live in vectors/uefi/io.ts.
 */
import { judgeUefi, parseUefiInput, uefiModelAnswer } from '../../vectors/uefi/io.ts';
import type { DiffEntry } from '../results.ts';
import type { JsonObject, Vector } from '../types.ts';
import type { SuiteDefinition } from './types.ts';

export const definition: SuiteDefinition = {
  suite: 'uefi',
  modelAnswer: (input: JsonObject) => uefiModelAnswer(parseUefiInput(input)),
  judge(vector: Vector, output: JsonObject): DiffEntry[] {
    return judgeUefi(vector.expect, output);
  },
};
