import { describe, expect, it } from 'vitest';
import type { JsonObject, Vector } from '../types.ts';
import { definition } from './paging.ts';

/**
 * Hand-computed from SDM Vol. 3A §4.5.4, §4.6.1, §4.7, §4.8: a supervisor write at CPL 0
 * with CR0.WP = 1 to 0x403000, mapped by a read-only PTE (0x5001) under writable upper
 * entries, faults with error code P|W = 0x3; the PML4E, PDPTE and PDE may get A (0x20).
 */
const WP_FAULT: Vector = {
  id: 'pg-wp', suite: 'paging', title: 'supervisor write to a read-only page with CR0.WP=1', clauses: ['PG.PERM.WP.SUPERVISOR_WRITE'],
  input: {
    cpu: { maxphyaddr: 46, features: ['nx', 'smep', 'smap', 'pku', 'pdpe1gb'] },
    regs: { cr0: '0x80010033', cr3: '0x1000', cr4: '0x20', efer: '0xd00', rflags: '0x2', pkru: '0x0', cpl: 0 },
    memory: [{ pa: '0x1000', value: '0x2003' }, { pa: '0x2000', value: '0x3003' }, { pa: '0x3010', value: '0x4003' }, { pa: '0x4018', value: '0x5001' }],
    access: { va: '0x403000', kind: 'write', implicit: false },
  },
  expect: {
    outcome: 'fault', vector: 14, errorCode: '0x3', cr2: '0x403000',
    memory: [{ pa: '0x1000', oneOf: ['0x2003', '0x2023'] }, { pa: '0x2000', oneOf: ['0x3003', '0x3023'] }, { pa: '0x3010', oneOf: ['0x4003', '0x4023'] }],
  },
};

const withInput = (edit: (i: Record<string, unknown>) => void): JsonObject => {
  const input = structuredClone(WP_FAULT.input) as Record<string, unknown>;
  edit(input);
  return input as JsonObject;
};

describe('suite paging', () => {
  it('the model answers the hand-computed case and the judge passes it', () => {
    const answer = definition.modelAnswer(WP_FAULT.input);
    expect(answer).toEqual({ outcome: 'fault', vector: 14, errorCode: '0x3', cr2: '0x403000', memory: ['0x2003', '0x3003', '0x4003', '0x5001'] });
    expect(definition.judge(WP_FAULT, answer as JsonObject)).toEqual([]);
  });

  it('accepts either permitted value of an upper entry after a fault', () => {
    const out = { outcome: 'fault', vector: 14, errorCode: '0x3', cr2: '0x403000', memory: ['0x2023', '0x3003', '0x4023', '0x5001'] };
    expect(definition.judge(WP_FAULT, out)).toEqual([]);
  });

  it('names the clause of each wrong error-code bit, CR2 and memory', () => {
    const out = { outcome: 'fault', vector: 14, errorCode: '0xb', cr2: '0x403008', memory: ['0x2003', '0x3003', '0x4003', '0x5021'] };
    expect(definition.judge(WP_FAULT, out)).toEqual([
      { path: '$.errorCode', expected: '0x3', observed: '0xb', clause: 'PG.PF.EC.RSVD' },
      { path: '$.cr2', expected: '0x403000', observed: '0x403008', clause: 'PG.PF.CR2' },
      { path: '$.memory[3]', expected: ['0x5001'], observed: '0x5021', clause: 'PG.AD.FAULT_LEAF_UNCHANGED' },
    ]);
  });

  it('reports a translation where a fault was due', () => {
    const out = { outcome: 'ok', pa: '0x5000', memory: ['0x2023', '0x3023', '0x4023', '0x5061'] };
    const diff = definition.judge(WP_FAULT, out);
    expect(diff[0]).toEqual({ path: '$.outcome', expected: 'fault', observed: 'ok', clause: 'PG.PF.VECTOR' });
  });

  it('turns a malformed output into a difference, never an exception', () => {
    expect(definition.judge(WP_FAULT, { outcome: 'fault', vector: 14, errorCode: 3, memory: [] })).toEqual([
      { path: '$.errorCode', expected: 'per spec/schemas/paging-output.schema.json: must be string', observed: 3 },
    ]);
    expect(definition.judge(WP_FAULT, { outcome: 'maybe', memory: [] })[0]).toMatchObject({ path: '$.outcome' });
    expect(definition.judge(WP_FAULT, { outcome: 'fault', vector: 14, errorCode: '0x3', cr2: '0x403000', memory: ['0x2003'] })).toEqual([
      { path: '$.memory', expected: '4 qwords', observed: '1 qwords' },
    ]);
  });

  it('declines states the model does not cover and refuses impossible ones', () => {
    expect(definition.modelAnswer(withInput((i) => { (i.regs as Record<string, unknown>).cr4 = '0x20020'; }))).toEqual({ unsupported: expect.stringContaining('PCIDE') });
    expect(() => definition.modelAnswer(withInput((i) => { (i.cpu as Record<string, unknown>).features = []; (i.regs as Record<string, unknown>).cr4 = '0x100020'; }))).toThrow(/SMEP/);
    expect(() => definition.modelAnswer(withInput((i) => { delete i.access; }))).toThrow(/\$\.input: missing required property 'access'/);
  });

  it('performs the A/D updates of a successful write', () => {
    const answer = definition.modelAnswer(withInput((i) => { (i.memory as { pa: string; value: string }[])[3]!.value = '0x5003'; }));
    expect(answer).toEqual({ outcome: 'ok', pa: '0x5000', memory: ['0x2023', '0x3023', '0x4023', '0x5063'] });
  });
});
