// The `handoff` corpus and suite: every line reads cleanly, the file is what the
// generator writes, the checker passes its own judge, every HANDOFF clause has a vector,
// and the judge names wrong outcomes, stages and violation sets.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { definition } from '../../harness/suites/handoff.ts';
import type { JsonObject, Vector } from '../../harness/types.ts';
import { HANDOFF_CLAUSES } from '../../spec/clauses/handoff.ts';
import { parseVectorText } from '../io/read.ts';
import { handoffCorpusText } from './cases.ts';
import { HANDOFF_CORPUS_FILE } from './generate.ts';
import { HandoffInputError, parseHandoffInput } from './io.ts';

function corpus(): Vector[] {
  const r = parseVectorText(readFileSync(HANDOFF_CORPUS_FILE, 'utf8'), HANDOFF_CORPUS_FILE);
  expect(r.problems).toEqual([]);
  return r.vectors;
}
const byId = (vs: Vector[], id: string): Vector => vs.find((v) => v.id === id)!;

describe('handoff corpus', () => {
  const vectors = corpus();

  it('states.jsonl is what the generator writes now (npx tsx vectors/handoff/generate.ts)', () => {
    expect(readFileSync(HANDOFF_CORPUS_FILE, 'utf8')).toBe(handoffCorpusText());
  });

  it('HANDOFF.FAULT.TRIPLE: the checker reproduces every expectation and passes its own judge', () => {
    expect(vectors.length).toBe(31);
    for (const v of vectors) {
      const answer = definition.modelAnswer(v.input) as JsonObject;
      expect(answer, v.id).toEqual(v.expect);
      expect(definition.judge(v, answer), v.id).toEqual([]);
    }
  });

  it('every HANDOFF clause is named by at least one vector', () => {
    const named = new Set(vectors.flatMap((v) => v.clauses));
    expect(HANDOFF_CLAUSES.map((c) => c.id).filter((id) => !named.has(id))).toEqual([]);
  });

  it('HANDOFF.CR3.NEXT_FETCH_MAPPED / HANDOFF.STACK.WRITABLE: the judge names a wrong outcome, stage, vector and violation set', () => {
    const v = byId(vectors, 'handoff-recursive-trampoline-unmapped');
    expect(definition.judge(v, { outcome: 'runs' })).toEqual([{ path: '$.outcome', expected: 'triple-fault', observed: 'runs', clause: 'HANDOFF.FAULT.TRIPLE' }]);
    expect(definition.judge(v, { outcome: 'triple-fault', stage: 'stack' }).map((d) => d.path)).toEqual(['$.stage']);
    expect(definition.judge(v, { outcome: 'triple-fault', stage: 'after-cr3', vector: 13 }).map((d) => d.path)).toEqual(['$.vector']);
    // A machine-only answer (OVMF) without vector and violations is judged on what it gives.
    expect(definition.judge(v, { outcome: 'triple-fault', stage: 'after-cr3' })).toEqual([]);
    const wrongSet = definition.judge(v, { outcome: 'triple-fault', stage: 'after-cr3', violations: ['HANDOFF.STACK.WRITABLE', 'HANDOFF.FAULT.TRIPLE'] });
    expect(wrongSet.map((d) => [d.expected, d.observed])).toEqual([['HANDOFF.CR3.NEXT_FETCH_MAPPED', null], [null, 'HANDOFF.STACK.WRITABLE']]);
    expect(definition.judge(v, { outcome: 'triple-fault', stage: 'after-cr3', violations: 'all' }).length).toBe(2);
    // The faulting address (CR2) is compared as a number, in either hex case.
    expect(v.expect.address).toBe('0x2000031');
    expect(definition.judge(v, { outcome: 'triple-fault', stage: 'after-cr3', address: '0X2000031' })).toEqual([]);
    expect(definition.judge(v, { outcome: 'triple-fault', stage: 'after-cr3', address: '0x2000030' })).toEqual([{ path: '$.address', expected: '0x2000031', observed: '0x2000030' }]);
    expect(definition.judge(v, { outcome: 'triple-fault', stage: 'after-cr3', address: 5 }).map((d) => d.path)).toEqual(['$.address']);
  });

  it('input errors carry the JSON path inside the vector', () => {
    const v = byId(vectors, 'handoff-recursive-none');
    const bad = JSON.parse(JSON.stringify(v.input)) as { state: { regs: { cr3: string } }; ovmf: { kernelPa: string; bootInfoVa: string } };
    bad.state.regs.cr3 = 'x';
    expect(() => parseHandoffInput(bad as never)).toThrow(new HandoffInputError('$.input.state.regs.cr3', "'x' is not a 64-bit hex value (\"0x\" and 1–16 hex digits)"));
    const bad2 = JSON.parse(JSON.stringify(v.input)) as { ovmf: { kernelPa: number } };
    bad2.ovmf.kernelPa = 5;
    expect(() => parseHandoffInput(bad2 as never)).toThrow('$.input.ovmf.kernelPa: expected a "0x…" physical address');
    const bad3 = JSON.parse(JSON.stringify(v.input)) as { ovmf: { bootInfoVa?: string } };
    delete bad3.ovmf.bootInfoVa;
    expect(() => parseHandoffInput(bad3 as never)).toThrow('$.input.ovmf.bootInfoVa');
    expect(() => parseHandoffInput({ ...(v.input as object), ovmf: [] } as never)).toThrow('$.input.ovmf: expected an object');
  });
});
