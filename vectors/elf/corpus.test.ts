// The `elf` corpus and suite: every line reads cleanly, the model reproduces every
// expectation and passes its own judge, the synthetic file is up to date, every ELF.*
// clause has vectors, and the judge names the broken clause for wrong outputs.
// Clauses: ELF.LOAD.RIGHTS, ELF.LOAD.ONLY_SEGMENTS, ELF.LOAD.PADDR, ELF.LOAD.RELRO_READONLY,
// ELF.RELOC.RELATIVE, ELF.LOAD.ZERO_TAIL (and every ELF clause through the coverage check).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { definition } from '../../harness/suites/elf.ts';
import type { JsonObject, Vector } from '../../harness/types.ts';
import { ELF_CLAUSES } from '../../spec/clauses/elf.ts';
import { parseVectorText } from '../io/read.ts';
import { corpusText, syntheticCases } from './cases.ts';
import { CORPUS_DIR, KERNELS_FILE, RULES_FILE } from './generate.ts';
import { ElfInputError, parseElfInput } from './io.ts';

function corpus(): Vector[] {
  const all: Vector[] = [];
  for (const f of [RULES_FILE, KERNELS_FILE]) {
    const r = parseVectorText(readFileSync(f, 'utf8'), f);
    expect(r.problems).toEqual([]);
    all.push(...r.vectors);
  }
  return all;
}

const byId = (vs: Vector[], id: string): Vector => vs.find((v) => v.id === id)!;
const clone = (o: JsonObject): JsonObject => JSON.parse(JSON.stringify(o)) as JsonObject;

describe('elf corpus', () => {
  const vectors = corpus();

  it('the model reproduces every expectation and passes its own judge', () => {
    expect(vectors.length).toBeGreaterThan(70);
    for (const v of vectors) {
      const answer = definition.modelAnswer(v.input);
      expect(answer, v.id).toEqual(v.expect);
      expect(definition.judge(v, answer as JsonObject), v.id).toEqual([]);
    }
  });

  it('rules.jsonl is what the generator writes now (npx tsx vectors/elf/generate.ts)', () => {
    expect(readFileSync(RULES_FILE, 'utf8')).toBe(corpusText(syntheticCases()));
  });

  it('every ELF clause is named by at least one vector', () => {
    const named = new Set(vectors.flatMap((v) => v.clauses));
    expect(ELF_CLAUSES.map((c) => c.id).filter((id) => !named.has(id))).toEqual([]);
  });

  it('judges wrong rights, a missing or extra page, a moved frame, a wrong relocation and a wrong probe by clause', () => {
    const v = byId(vectors, 'elf-gcc-static-pie-1');
    const good = v.expect;
    const pages = (o: JsonObject) => o.pages as JsonObject[];
    const relro = clone(good);
    pages(relro).find((p) => p.relro === true)!.writable = true;
    expect(definition.judge(v, relro).map((d) => d.clause)).toEqual(['ELF.LOAD.RELRO_READONLY']);
    const nx = clone(good);
    pages(nx)[1]!.executable = false;
    expect(definition.judge(v, nx).map((d) => d.clause)).toEqual(['ELF.LOAD.RIGHTS']);
    const missing = clone(good);
    pages(missing).shift();
    expect(definition.judge(v, missing).map((d) => d.clause)).toEqual(['ELF.LOAD.ONLY_SEGMENTS']);
    const extra = clone(good);
    pages(extra).push({ va: '0x1000', count: 1, pa: '0x900000', writable: false, executable: false });
    expect(definition.judge(v, extra).map((d) => d.clause)).toEqual(['ELF.LOAD.ONLY_SEGMENTS']);
    const sameFrame = clone(good);
    pages(sameFrame)[1]!.pa = pages(sameFrame)[0]!.pa!;
    expect(definition.judge(v, sameFrame).map((d) => d.clause)).toEqual(['ELF.LOAD.ONLY_SEGMENTS']);
    // Allocated frames may differ from the model's, as long as each page has its own.
    const moved = clone(good);
    for (const p of pages(moved)) p.pa = '0x' + (BigInt(p.pa as string) + 0x1000_0000n).toString(16);
    expect(definition.judge(v, moved)).toEqual([]);
    const reloc = clone(good);
    (reloc.relocations as JsonObject[])[0]!.value = '0x1';
    (reloc.relocations as JsonObject[]).push({ va: '0x10', value: '0x0' });
    expect(definition.judge(v, reloc).map((d) => d.clause)).toEqual(['ELF.RELOC.RELATIVE', 'ELF.RELOC.TYPE_SUPPORTED']);
    const probe = clone(good);
    (probe.probes as string[])[0] = '0x0';
    expect(definition.judge(v, probe).map((d) => d.clause)).toEqual(['ELF.LOAD.FILE_BYTES']);
    const entry = clone(good);
    entry.entry = '0x0';
    expect(definition.judge(v, entry).map((d) => d.clause)).toEqual(['ELF.ENTRY.EXECUTABLE']);
    // Same values, other spellings and other range splits, still pass.
    const respelled = clone(good);
    respelled.entry = (respelled.entry as string).toUpperCase().replace('0X', '0x');
    const split = pages(respelled).flatMap((p) => Array.from({ length: p.count as number }, (_, k) => ({
      va: '0x' + (BigInt(p.va as string) + BigInt(k) * 4096n).toString(16), count: 1,
      pa: '0x' + (BigInt(p.pa as string) + BigInt(k) * 4096n).toString(16), writable: p.writable!, executable: p.executable!,
    })));
    respelled.pages = split;
    expect(definition.judge(v, respelled)).toEqual([]);
  });

  it('judges physical placement only when the case places at p_paddr (ELF.LOAD.PADDR)', () => {
    const v = byId(vectors, 'elf-gcc-higher-half-paddr');
    const moved = clone(v.expect);
    (moved.pages as JsonObject[])[0]!.pa = '0x400000';
    expect(definition.judge(v, moved).map((d) => d.clause)).toEqual(['ELF.LOAD.PADDR']);
  });

  it('judges the outcome and the named errors of a refusal', () => {
    const v = byId(vectors, 'elf-bad-overlap');
    expect(definition.judge(v, { outcome: 'refused' })).toEqual([]);
    expect(definition.judge(v, { outcome: 'refused', errors: ['ELF.PH.LOAD.OVERLAP'] })).toEqual([]);
    expect(definition.judge(v, { outcome: 'refused', errors: [{ clause: 'ELF.IDENT.MAGIC' }] }).map((d) => d.clause)).toEqual(['ELF.PH.LOAD.OVERLAP']);
    expect(definition.judge(v, { outcome: 'loaded' })).toEqual([{ path: '$.outcome', expected: 'refused', observed: 'loaded', clause: 'ELF.PH.LOAD.OVERLAP' }]);
    const ok = byId(vectors, 'elf-load-higher-half');
    expect(definition.judge(ok, { outcome: 'refused' })).toEqual([{ path: '$.outcome', expected: 'loaded', observed: 'refused' }]);
  });

  it('malformed outputs become differences, never exceptions', () => {
    const v = byId(vectors, 'elf-pie-1');
    const base = { ...clone(v.expect) };
    expect(definition.judge(v, { ...base, pages: 'none' })[0]!.path).toBe('$.pages');
    expect(definition.judge(v, { ...base, pages: [{ va: 'x' }] })[0]!.path).toBe('$.pages[0]');
    expect(definition.judge(v, { ...base, relocations: {} })[0]!.path).toBe('$.relocations');
    expect(definition.judge(v, { ...base, relocations: [{ va: 1 }] })[0]!.path).toBe('$.relocations[0]');
    expect(definition.judge(v, { ...base, probes: 'none' }).length).toBe((v.expect.probes as unknown[]).length);
    expect(definition.judge(v, { ...base, entry: 7 })[0]!.path).toBe('$.entry');
  });

  it('bad inputs are reported with their JSON path', () => {
    const elf = (byId(vectors, 'elf-load-higher-half').input.elf) as string;
    const bad = (input: JsonObject): string => {
      try {
        parseElfInput(input);
      } catch (e) {
        expect(e).toBeInstanceOf(ElfInputError);
        return (e as ElfInputError).path;
      }
      return 'accepted';
    };
    expect(bad({ elf: 'not base64!' })).toBe('$.input.elf');
    expect(bad({ elf, extra: 1 })).toBe('$.input.extra');
    expect(bad({ elf, options: [] })).toBe('$.input.options');
    expect(bad({ elf, options: { nope: 1 } })).toBe('$.input.options.nope');
    expect(bad({ elf, options: { profile: 'uefi' } })).toBe('$.input.options.profile');
    expect(bad({ elf, options: { placement: 'x' } })).toBe('$.input.options.placement');
    expect(bad({ elf, options: { base: 12 } })).toBe('$.input.options.base');
    expect(bad({ elf, options: { physBase: '0x123' } })).toBe('$.input.options.physBase');
    expect(bad({ elf, probes: {} })).toBe('$.input.probes');
    expect(bad({ elf, probes: [1] })).toBe('$.input.probes[0]');
    expect(bad({ elf, probes: [{ va: '0x0', clause: 'PG.X.Y' }] })).toBe('$.input.probes[0].clause'); // clause-scan: ignore
    expect(bad({ elf, options: { physBase: '0x400000' }, probes: [{ va: '0x0', clause: 'ELF.LOAD.ZERO_TAIL' }] })).toBe('accepted');
    // A probe outside the image reads as null.
    const answer = definition.modelAnswer({ elf, probes: [{ va: '0x0', clause: 'ELF.LOAD.ONLY_SEGMENTS' }] }) as JsonObject;
    expect(answer.probes).toEqual([null]);
  });
});

describe('elf JSON Schemas (spec/schemas/elf-*.schema.json)', () => {
  it('every vector input and expectation, and every model answer, conforms; malformed outputs do not', async () => {
    const { Ajv2020 } = await import('ajv/dist/2020.js');
    const { readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const ajv = new Ajv2020({ strict: true });
    ajv.addSchema(JSON.parse(readFileSync(join(CORPUS_DIR, '..', '..', 'spec', 'schemas', 'common.schema.json'), 'utf8')) as object);
    const dir = join(CORPUS_DIR, '..', '..', 'spec', 'schemas');
    for (const f of readdirSync(dir).filter((n) => n.startsWith('elf-')).sort()) ajv.addSchema(JSON.parse(readFileSync(join(dir, f), 'utf8')) as object);
    const check = (id: string, value: unknown): string => (ajv.validate(id, value) ? 'ok' : ajv.errorsText());
    for (const v of corpus()) {
      expect(check('elf-input.schema.json', v.input), v.id).toBe('ok');
      expect(check('elf-expect.schema.json', v.expect), v.id).toBe('ok');
      expect(check('elf-output.schema.json', definition.modelAnswer(v.input)), v.id).toBe('ok');
    }
    expect(check('elf-output.schema.json', { outcome: 'loaded' })).not.toBe('ok');
    expect(check('elf-output.schema.json', { outcome: 'refused', errors: ['ELF.IDENT.MAGIC'] })).toBe('ok');
    expect(check('elf-input.schema.json', { elf: 'AAAA', options: { profile: 'uboot' } })).not.toBe('ok');
  });
});
