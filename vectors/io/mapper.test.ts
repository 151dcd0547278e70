import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseVectorText } from './read.ts';

const GOOD = JSON.parse(readFileSync(join(import.meta.dirname, '../mapper/curated.jsonl'), 'utf8').split('\n')[0]!) as Record<string, Record<string, unknown>>;

function problemOf(edit: (v: { input: Record<string, unknown>; expect: { results: unknown[] } }) => void) {
  const v = structuredClone(GOOD) as unknown as { input: Record<string, unknown>; expect: { results: unknown[] } };
  edit(v);
  const r = parseVectorText(JSON.stringify(v), 'm.jsonl');
  expect(r.vectors).toHaveLength(0);
  return r.problems[0]!;
}

describe('reading mapper vectors', () => {
  it('accepts a committed one', () => expect(parseVectorText(JSON.stringify(GOOD), 'm.jsonl').problems).toEqual([]));

  it('names schema problems by path', () => {
    expect(problemOf((v) => { (v.input.operations as Record<string, unknown>[])[0]!.size = '8K'; })).toMatchObject({ code: 'schema', path: '$.input.operations[0].size' });
    expect(problemOf((v) => { (v.input.operations as Record<string, unknown>[])[0]!.onHugePage = 'error'; })).toMatchObject({ path: '$.input.operations[0].onHugePage' });
    expect(problemOf((v) => { ((v.input.operations as Record<string, unknown>[])[0]!.flags as Record<string, unknown>).pkey = 16; })).toMatchObject({ path: '$.input.operations[0].flags.pkey' });
    expect(problemOf((v) => { (v.input.operations as Record<string, unknown>[])[0]!.op = 'remap'; })).toMatchObject({ path: '$.input.operations[0].op' });
    expect(problemOf((v) => { v.expect.results[0] = { ok: false }; })).toMatchObject({ path: '$.expect.results[0].ok' });
  });

  it('checks what the schema cannot', () => {
    expect(problemOf((v) => { v.expect.results.push({ ok: true }); })).toMatchObject({ code: 'semantic', path: '$.expect.results', message: '2 results for 1 operations' });
    expect(problemOf((v) => { v.input.nxe = true; v.input.cpu = { maxphyaddr: 40, features: [] }; })).toMatchObject({ path: '$.input.nxe', clause: 'PG.STATE.FEATURE_BITS' });
    expect(problemOf((v) => { v.input.cr3 = '0x100800'; })).toMatchObject({ path: '$.input.cr3', message: expect.stringContaining('4 KiB-aligned') });
    expect(problemOf((v) => { v.input.cr3 = '0x1000000000'; })).toMatchObject({ path: '$.input.cr3', clause: 'PG.CR3.RESERVED' });
    expect(problemOf((v) => { v.input.frames = [{ start: '0x200000', end: '0x200800' }]; })).toMatchObject({ path: '$.input.frames[0]', message: 'unusable frame range: misaligned' });
    expect(problemOf((v) => { v.input.frames = [{ start: '0x100000', end: '0x102000' }]; })).toMatchObject({ path: '$.input.frames[0]', message: 'range holds frame 0x100000 of the initial tables' });
    expect(problemOf((v) => { v.input.memory = [{ pa: '0x300004', value: '0x1' }]; })).toMatchObject({ path: '$.input.memory[0].pa' });
  });
});
