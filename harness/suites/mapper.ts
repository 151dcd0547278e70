/**
 * Suite `mapper`: page-table managers (a kernel's or a bootloader's). A vector gives the
 * starting tables, the frame ranges new tables may come from, and a list of map / unmap /
 * protect operations; the expectation is semantic — each operation's typed result and
 * the translations the final tables give — so an implementation that allocates frames
 * differently from the model still passes (spec/schemas/mapper-*.schema.json).
 */
import { physAddr } from '../../model/paging/addr.ts';
import { toNumber } from '../../model/paging/u64.ts';
import { valueAt } from '../../vectors/io/json-path.ts';
import { asMapperInput, framesFromJson, mapperInputProblems, mapperMemory, type MapperResultJson } from '../../vectors/io/mapper.ts';
import { cpuFromJson, hex } from '../../vectors/io/paging.ts';
import { checkSchema } from '../../vectors/io/schemas.ts';
import { enumerateTranslations, translationToJson, type TranslationJson } from '../../vectors/semantics/mapper-translations.ts';
import { runMapperModel } from '../../vectors/semantics/mapper-run.ts';
import type { DiffEntry } from '../results.ts';
import type { JsonObject, JsonValue, Vector } from '../types.ts';
import type { ModelUnsupported, SuiteDefinition } from './types.ts';

/** How many translation differences a failure lists (the rest are counted). */
const MAX_LISTED = 20;

/** The model mapper's output for a mapper input. */
export function mapperModelAnswer(input: JsonObject): JsonObject | ModelUnsupported {
  const bad = checkSchema('mapper-input.schema.json', input, '$.input');
  if (bad !== undefined) throw new Error(`${bad.path}: ${bad.message}`);
  const json = asMapperInput(input);
  const problem = mapperInputProblems(json)[0];
  if (problem !== undefined) throw new Error(`${problem.path}: ${problem.message}`);
  const run = runMapperModel(json);
  return { results: run.results, memory: run.changed } as unknown as JsonObject;
}

/**
 * Judges an implementation's mapper output: the same typed result per operation; writes
 * only to the initial tables' frames and the given frame ranges; and the final tables
 * giving exactly the expected translations.
 */
export function judgeMapperOutput(vector: Vector, output: JsonObject): DiffEntry[] {
  const bad = checkSchema('mapper-output.schema.json', output);
  if (bad !== undefined) return [{ path: bad.path, expected: `per spec/schemas/mapper-output.schema.json: ${bad.message}`, observed: valueAt(output, bad.path) }];
  const input = asMapperInput(vector.input);
  const expect = vector.expect as unknown as { results: MapperResultJson[]; translations: TranslationJson[] };
  const diffs: DiffEntry[] = [];
  const results = output.results as unknown as MapperResultJson[];
  if (results.length !== expect.results.length) {
    diffs.push({ path: '$.results', expected: `${expect.results.length} results`, observed: `${results.length} results` });
  } else {
    expect.results.forEach((e, i) => {
      if (JSON.stringify(e) !== JSON.stringify(results[i])) diffs.push({ path: `$.results[${i}]`, expected: e as JsonValue, observed: results[i] as JsonValue });
    });
  }
  // Writes may land only in the initial tables' frames (CR3's included) and the frame ranges.
  const memory = mapperMemory(input);
  const allowedFrames = new Set<number>([Math.floor(toNumber(hex(input.cr3)) / 4096), ...input.memory.map((q) => Math.floor(toNumber(hex(q.pa)) / 4096))]);
  const ranges = framesFromJson(input.frames);
  const written = output.memory as { pa: string; value: string }[];
  const seen = new Set<number>();
  written.forEach((q, i) => {
    const pa = toNumber(hex(q.pa));
    if (seen.has(pa)) {
      diffs.push({ path: `$.memory[${i}].pa`, expected: 'each qword at most once', observed: q.pa });
      return;
    }
    seen.add(pa);
    if (pa % 8 !== 0) {
      diffs.push({ path: `$.memory[${i}].pa`, expected: 'an 8-byte-aligned qword address', observed: q.pa });
      return;
    }
    if (!allowedFrames.has(Math.floor(pa / 4096)) && !ranges.some((r) => pa >= r.start && pa < r.end)) {
      diffs.push({ path: `$.memory[${i}].pa`, expected: 'a qword in the initial tables or in input.frames', observed: q.pa });
      return;
    }
    memory.write64(physAddr(pa), hex(q.value));
  });
  const got = enumerateTranslations(memory, cpuFromJson(input.cpu), toNumber(hex(input.cr3)), input.nxe);
  // Malformed entries the input came with are the vector's business; ones the implementation wrote are its fault.
  const writtenPas = new Set(written.map((q) => toNumber(hex(q.pa))));
  for (const m of got.malformed.filter((x) => writtenPas.has(x.entryPa)).slice(0, MAX_LISTED)) {
    diffs.push({ path: '$.memory', expected: 'written entries without reserved bits', observed: `entry 0x${m.entryPa.toString(16)} (level ${m.level})`, clause: m.clause });
  }
  if (got.truncated) diffs.push({ path: '$.memory', expected: 'tables with at most 2^20 leaves', observed: 'more (a loop or shared tables)' });
  const observed = got.ranges.map(translationToJson);
  const key = (t: TranslationJson) => JSON.stringify(t);
  const obsKeys = new Set(observed.map(key));
  const expKeys = new Set(expect.translations.map(key));
  const missing = expect.translations.filter((t) => !obsKeys.has(key(t)));
  const extra = observed.filter((t) => !expKeys.has(key(t)));
  for (const t of missing.slice(0, MAX_LISTED)) diffs.push({ path: '$.memory', expected: { translation: t } as unknown as JsonValue, observed: null });
  for (const t of extra.slice(0, MAX_LISTED)) diffs.push({ path: '$.memory', expected: null, observed: { translation: t } as unknown as JsonValue });
  const more = Math.max(0, missing.length - MAX_LISTED) + Math.max(0, extra.length - MAX_LISTED);
  if (more > 0) diffs.push({ path: '$.memory', expected: 'the expected translations', observed: `${more} more differing translation range(s)` });
  return diffs;
}

export const definition: SuiteDefinition = {
  suite: 'mapper',
  modelAnswer: mapperModelAnswer,
  judge: judgeMapperOutput,
};
