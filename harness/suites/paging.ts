/**
 * Suite `paging`: one access under one CPU/register state and physical memory
 * (spec/schemas/paging-*.schema.json). The model answers by performing the access from
 * an empty TLB; the judge wraps the model's `judgePaging`, which compares the output
 * with the vector's permitted set and names the clause each difference breaks.
 */
import { performAccessUntraced } from '../../model/paging/access.ts';
import { GP, OK, WalkScratch } from '../../model/paging/walk-core.ts';
import { judgePaging, type ObservedOutcome } from '../../model/paging/expectation.ts';
import { validateAccess, validateState } from '../../model/paging/state.ts';
import { toHex } from '../../model/paging/u64.ts';
import { asPagingInput, expectFromJson, hex, hexPa, pagingInputToModel, type PagingExpectJson } from '../../vectors/io/paging.ts';
import { checkSchema } from '../../vectors/io/schemas.ts';
import { ScratchMemory } from '../../vectors/io/scratch-memory.ts';
import { valueAt } from '../../vectors/io/json-path.ts';
import type { DiffEntry } from '../results.ts';
import type { JsonObject, JsonValue, Vector } from '../types.ts';
import type { ModelUnsupported, SuiteDefinition } from './types.ts';

const phex = (n: number) => '0x' + n.toString(16);

/** Reused for every answer: `modelAnswer` is synchronous, so one scratch memory and one walk record are enough. */
const scratch = new ScratchMemory();
const walkRecord = new WalkScratch();

/**
 * The model's output for a paging input, in the x64spec-impl/1 `output` form: the access
 * performed from an empty TLB (faults change no memory, one of the permitted outcomes).
 * Inputs are read without a schema pass (the corpus reader has checked them); when
 * reading fails, the schema names the path of the problem.
 */
export function pagingModelAnswer(input: JsonObject): JsonObject | ModelUnsupported {
  try {
    const json = asPagingInput(input);
    let model;
    try {
      model = pagingInputToModel(json, scratch);
    } catch (err) {
      const bad = checkSchema('paging-input.schema.json', input, '$.input');
      throw new Error(bad !== undefined ? `${bad.path}: ${bad.message}` : `$.input: ${(err as Error).message}`);
    }
    const { state, access } = model;
    const problems = [...validateState(state.cpu, state.regs), ...validateAccess(access)];
    const unsupported = problems.find((p) => p.unsupported);
    if (unsupported !== undefined) return { unsupported: `${unsupported.path}: ${unsupported.message}` };
    if (problems.length > 0) throw new Error(`$.input.${problems[0]!.path}: ${problems[0]!.message}`);
    const out = performAccessUntraced(state, access, walkRecord);
    const memory = json.memory.map((q) => toHex(scratch.read64(hexPa(q.pa))));
    if (out.status === OK) return { outcome: 'ok', pa: phex(out.pa), memory };
    if (out.status === GP) return { outcome: 'fault', vector: 13, errorCode: '0x0', memory };
    return { outcome: 'fault', vector: 14, errorCode: phex(out.errorCode), cr2: toHex(access.va), memory };
  } finally {
    scratch.reset();
  }
}

/** Compares an implementation's paging output with the vector's permitted set. */
export function judgePagingOutput(vector: Vector, output: JsonObject): DiffEntry[] {
  const bad = checkSchema('paging-output.schema.json', output);
  if (bad !== undefined) {
    return [{ path: bad.path, expected: `per spec/schemas/paging-output.schema.json: ${bad.message}`, observed: valueAt(output, bad.path) }];
  }
  const input = asPagingInput(vector.input);
  const inputMemory = input.memory.map((q) => ({ pa: hexPa(q.pa), value: hex(q.value) }));
  const mem = (output.memory as string[]).map(hex);
  const observed: ObservedOutcome = output.outcome === 'ok'
    ? { outcome: 'ok', pa: hexPa(output.pa as string), memory: mem }
    : {
      outcome: 'fault',
      vector: output.vector as number,
      ...(typeof output.errorCode === 'string' ? { errorCode: hex(output.errorCode).lo } : {}),
      ...(typeof output.cr2 === 'string' ? { cr2: hex(output.cr2) } : {}),
      memory: mem,
    };
  return judgePaging(inputMemory, expectFromJson(vector.expect as unknown as PagingExpectJson), observed).map((d) => {
    const entry: DiffEntry = { path: d.path, expected: d.expected as JsonValue, observed: d.observed };
    return d.clause === undefined ? entry : { ...entry, clause: d.clause };
  });
}

export const definition: SuiteDefinition = {
  suite: 'paging',
  modelAnswer: pagingModelAnswer,
  judge: judgePagingOutput,
};
