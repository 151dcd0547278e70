import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, parseVectorText, readVectorFiles } from './index.ts';

/** The DESIGN.md example vector with a model-consistent expectation. */
const GOOD = {
  id: 'pg-0001', suite: 'paging', title: 'supervisor write to a read-only 4 KiB page with CR0.WP=1', clauses: ['PG.PERM.WP.SUPERVISOR_WRITE'],
  input: {
    cpu: { maxphyaddr: 46, features: ['nx', 'smep', 'smap', 'pku', 'pdpe1gb'] },
    regs: { cr0: '0x80010033', cr3: '0x1000', cr4: '0x3006a0', efer: '0xd00', rflags: '0x2', pkru: '0x0', cpl: 0 },
    memory: [{ pa: '0x1000', value: '0x2003' }, { pa: '0x2000', value: '0x3003' }, { pa: '0x3010', value: '0x4003' }, { pa: '0x4018', value: '0x5001' }],
    access: { va: '0x403000', kind: 'write', implicit: false },
  },
  expect: {
    outcome: 'fault', vector: 14, errorCode: '0x3', cr2: '0x403000',
    memory: [{ pa: '0x1000', oneOf: ['0x2003', '0x2023'] }, { pa: '0x2000', oneOf: ['0x3003', '0x3023'] }, { pa: '0x3010', oneOf: ['0x4003', '0x4023'] }],
  },
};

type Mutable = Record<string, unknown>;
function variant(edit: (v: Mutable) => void): string {
  const v = structuredClone(GOOD) as unknown as Mutable;
  edit(v);
  return JSON.stringify(v);
}

/** The one problem a single line gets. */
function problemOf(line: string) {
  const r = parseVectorText(line, 'f.jsonl');
  expect(r.vectors).toHaveLength(0);
  expect(r.problems).toHaveLength(1);
  return r.problems[0]!;
}

describe('reading vector lines', () => {
  it('accepts the DESIGN.md example and keeps its source line', () => {
    const r = parseVectorText('\n' + JSON.stringify(GOOD) + '\n', 'f.jsonl');
    expect(r.problems).toEqual([]);
    expect(r.vectors[0]!.source).toEqual({ file: 'f.jsonl', line: 2 });
    expect(r.vectors[0]!.id).toBe('pg-0001');
  });

  it('accepts upper-case hex and CRLF line ends', () => {
    const line = variant((v) => { (v.input as Mutable).access = { va: '0X403000', kind: 'write', implicit: false }; });
    expect(parseVectorText(line.replace('0x2003', '0X2003') + '\r\n', 'f.jsonl').problems).toEqual([]);
  });

  it('reports invalid JSON and non-objects at $', () => {
    expect(problemOf('{"id": ')).toMatchObject({ code: 'json', line: 1, path: '$' });
    expect(problemOf('[1,2]')).toMatchObject({ code: 'json', path: '$', message: 'expected a JSON object, got an array' });
  });

  it.each(['__proto__', 'constructor', 'prototype'])('rejects the key %s anywhere, without merging it', (key) => {
    const line = JSON.stringify(GOOD).replace('"access":{', `"access":{"${key}":{"polluted":true},`);
    const p = problemOf(line);
    expect(p).toMatchObject({ code: 'forbidden-key', path: `$.input.access.${key}` });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects unknown suites by name', () => {
    expect(problemOf(variant((v) => { v.suite = 'pagin'; }))).toMatchObject({ code: 'unknown-suite', path: '$.suite' });
  });

  it('names the JSON path of schema problems', () => {
    expect(problemOf(variant((v) => { delete v.title; }))).toMatchObject({ code: 'schema', path: '$', message: "missing required property 'title'" });
    expect(problemOf(variant((v) => { ((v.input as Mutable).memory as Mutable[])[2]!.value = '12'; }))).toMatchObject({ code: 'schema', path: '$.input.memory[2].value' });
    expect(problemOf(variant((v) => { ((v.input as Mutable).regs as Mutable).cr3 = 4096; }))).toMatchObject({ path: '$.input.regs.cr3' });
    expect(problemOf(variant((v) => { ((v.input as Mutable).access as Mutable).kind = 'exec'; }))).toMatchObject({ path: '$.input.access.kind', message: 'must be one of ["read","write","fetch"]' });
    expect(problemOf(variant((v) => { (v.expect as Mutable).extra = 1; }))).toMatchObject({ path: '$.expect.extra', message: 'unknown property' });
    expect(problemOf(variant((v) => { delete (v.expect as Mutable).cr2; }))).toMatchObject({ path: '$.expect', message: "missing required property 'cr2'" });
    expect(problemOf(variant((v) => { v.clauses = ['pg.lower']; }))).toMatchObject({ path: '$.clauses[0]' });
    expect(problemOf(variant((v) => { ((v.input as Mutable).cpu as Mutable).maxphyaddr = 53; }))).toMatchObject({ path: '$.input.cpu.maxphyaddr' });
  });

  it('reports meaning problems with their path and clause', () => {
    expect(problemOf(variant((v) => { ((v.input as Mutable).memory as Mutable[])[1]!.pa = '0x2004'; }))).toMatchObject({ code: 'semantic', path: '$.input.memory[1].pa', message: expect.stringContaining('aligned') });
    expect(problemOf(variant((v) => { ((v.input as Mutable).memory as Mutable[])[1]!.pa = '0x1000'; }))).toMatchObject({ code: 'semantic', path: '$.input.memory[1].pa', message: expect.stringContaining('twice') });
    expect(problemOf(variant((v) => { ((v.input as Mutable).cpu as Mutable).features = ['nx']; }))).toMatchObject({ code: 'semantic', path: '$.input.regs.cr4', clause: 'PG.STATE.FEATURE_BITS' });
    expect(problemOf(variant((v) => { ((v.input as Mutable).regs as Mutable).cr3 = '0x800000001000'; }))).toMatchObject({ path: '$.input.regs.cr3', clause: 'PG.CR3.RESERVED' });
    expect(problemOf(variant((v) => { ((v.input as Mutable).access as Mutable).implicit = true; ((v.input as Mutable).access as Mutable).kind = 'fetch'; }))).toMatchObject({ path: '$.input.access' });
    expect(problemOf(variant((v) => { ((v.expect as Mutable).memory as Mutable[])[0]!.pa = '0x1008'; }))).toMatchObject({ path: '$.expect.memory[0].pa', message: expect.stringContaining('not listed') });
  });

  it('reports a duplicate id at its second line and keeps going', () => {
    const other = variant((v) => { v.id = 'pg-0002'; });
    const r = parseVectorText([JSON.stringify(GOOD), JSON.stringify(GOOD), '{', other].join('\n'), 'f.jsonl');
    expect(r.vectors.map((v) => v.id)).toEqual(['pg-0001', 'pg-0002']);
    expect(r.problems.map((p) => [p.code, p.line])).toEqual([['duplicate-id', 2], ['json', 3]]);
    expect(formatProblem(r.problems[0]!)).toBe("f.jsonl:2: $.id: id 'pg-0001' already used at f.jsonl:1 (duplicate-id)");
  });
});

describe('reading files and directories', () => {
  const dir = mkdtempSync(join(tmpdir(), 'x64spec-vectors-'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'a.jsonl'), JSON.stringify(GOOD) + '\n');
  writeFileSync(join(dir, 'sub', 'b.jsonl'), JSON.stringify(GOOD) + '\n' + variant((v) => { v.id = 'pg-9'; }) + '\n');
  writeFileSync(join(dir, 'notes.txt'), 'not a vector file');

  it('walks directories for *.jsonl and finds duplicates across files', () => {
    const r = readVectorFiles([dir]);
    expect(r.vectors.map((v) => v.id)).toEqual(['pg-0001', 'pg-9']);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'duplicate-id', file: join(dir, 'sub', 'b.jsonl'), line: 1 })]);
  });

  it('reports a missing file as an io problem', () => {
    expect(readVectorFiles([join(dir, 'missing.jsonl')]).problems).toEqual([expect.objectContaining({ code: 'io', line: 0, message: 'cannot read: ENOENT' })]);
  });

  it('filters by suite after validating everything', () => {
    expect(readVectorFiles([join(dir, 'a.jsonl')], { suites: ['mapper'] }).vectors).toEqual([]);
  });
});
