import { describe, expect, it } from 'vitest';
import { readVectorFiles } from '../../vectors/io/index.ts';
import { join } from 'node:path';
import type { JsonObject, Vector } from '../types.ts';
import { definition } from './mapper.ts';

const corpus = readVectorFiles([join(import.meta.dirname, '..', '..', 'vectors', 'mapper', 'curated.jsonl')]).vectors;
const byTitle = (p: string, words: string): Vector => {
  const v = corpus.find((x) => x.id.startsWith(`mp-${p}-`) && x.title.includes(words));
  if (v === undefined) throw new Error(`no curated mapper vector '${words}' for ${p}`);
  return v;
};

type Output = { results: unknown[]; memory: { pa: string; value: string }[] };
const answer = (v: Vector) => definition.modelAnswer(v.input) as unknown as Output;

/**
 * Moves every table the model allocated from the frame ranges to other frames of the
 * same ranges (reversed order), rewriting the pointers to them: what a mapper with a
 * different allocator would have written.
 */
function relocate(v: Vector, out: Output): Output {
  const start = Number.parseInt((v.input.frames as { start: string }[])[0]!.start, 16);
  const end = Number.parseInt((v.input.frames as { end: string }[])[0]!.end, 16);
  const frameOf = (pa: number) => pa - (pa % 4096);
  const moved = new Map<number, number>();
  for (const q of out.memory) {
    const f = frameOf(Number.parseInt(q.pa, 16));
    if (f >= start && f < end && !moved.has(f)) moved.set(f, end - 4096 - (f - start));
  }
  const memory = out.memory.map((q) => {
    const pa = Number.parseInt(q.pa, 16);
    const newPa = (moved.get(frameOf(pa)) ?? frameOf(pa)) + (pa % 4096);
    let value = BigInt(q.value);
    const target = Number(value & 0xf_ffff_ffff_f000n);
    const to = moved.get(target);
    if (to !== undefined && (value & 1n) === 1n) value = (value & ~0xf_ffff_ffff_f000n) | BigInt(to);
    return { pa: '0x' + newPa.toString(16), value: '0x' + value.toString(16) };
  });
  return { ...out, memory };
}

describe('suite mapper', () => {
  it('passes an implementation that allocates its table frames differently', () => {
    const v = byTitle('p40-all', 'higher-half kernel');
    const out = answer(v);
    const other = relocate(v, out);
    expect(other.memory).not.toEqual(out.memory);
    expect(definition.judge(v, out as unknown as JsonObject)).toEqual([]);
    expect(definition.judge(v, other as unknown as JsonObject)).toEqual([]);
  });

  it('fails a wrong typed result', () => {
    const v = byTitle('p40-all', 'AlreadyMapped');
    const out = answer(v);
    out.results[1] = { ok: true };
    expect(definition.judge(v, out as unknown as JsonObject)).toEqual([{ path: '$.results[1]', expected: { error: 'AlreadyMapped' }, observed: { ok: true } }]);
  });

  it('fails writes outside the tables and the frame ranges', () => {
    const v = byTitle('p40-all', 'map one 4 KiB page');
    const out = answer(v);
    out.memory.push({ pa: '0x9000', value: '0x1' });
    expect(definition.judge(v, out as unknown as JsonObject)).toContainEqual({ path: `$.memory[${out.memory.length - 1}].pa`, expected: 'a qword in the initial tables or in input.frames', observed: '0x9000' });
  });

  it('fails a qword reported twice', () => {
    const v = byTitle('p40-all', 'map one 4 KiB page');
    const out = answer(v);
    out.memory.push({ ...out.memory[0]! });
    expect(definition.judge(v, out as unknown as JsonObject)).toContainEqual({ path: `$.memory[${out.memory.length - 1}].pa`, expected: 'each qword at most once', observed: out.memory[0]!.pa });
  });

  it('fails missing and extra translations, and names wrong rights', () => {
    const v = byTitle('p40-all', 'protect: make a code page writable');
    const out = answer(v);
    // Leave the leaf as it was: the page stays read-only and supervisor.
    const leafless = { ...out, memory: [] };
    const diff = definition.judge(v, leafless as unknown as JsonObject);
    expect(diff).toHaveLength(2);
    expect(diff[0]).toMatchObject({ path: '$.memory', observed: null, expected: { translation: { va: '0x400000', flags: { writable: true, user: true } } } });
    expect(diff[1]).toMatchObject({ path: '$.memory', expected: null, observed: { translation: { va: '0x400000', flags: { writable: false, user: false } } } });
  });

  it('fails an entry written with reserved bits, naming the clause', () => {
    const v = byTitle('p40-all', 'map one 4 KiB page');
    const out = answer(v);
    const last = out.memory[out.memory.length - 1]!;
    out.memory[out.memory.length - 1] = { ...last, value: '0x' + (BigInt(last.value) | (1n << 45n)).toString(16) };
    expect(definition.judge(v, out as unknown as JsonObject)).toContainEqual(expect.objectContaining({ path: '$.memory', clause: 'PG.RSVD.MAXPHYADDR' }));
  });

  it('reports a malformed output as a difference', () => {
    const v = byTitle('p40-all', 'map one 4 KiB page');
    expect(definition.judge(v, { results: [{ ok: 'yes' }], memory: [] })).toEqual([{ path: '$.results[0].ok', expected: expect.stringContaining('mapper-output.schema.json'), observed: 'yes' }]);
  });

  it('refuses an input whose frame ranges hold the initial tables', () => {
    const v = byTitle('p40-all', 'no frames at all');
    const input = structuredClone(v.input) as Record<string, unknown>;
    input.frames = [{ start: '0x100000', end: '0x104000' }];
    expect(() => definition.modelAnswer(input as JsonObject)).toThrow(/\$\.input\.frames\[0\]: range holds frame 0x100000/);
  });
});
