import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numRuns } from '../../properties/support/runs.ts';
import { validateAccess, validateState } from '../../model/paging/state.ts';
import { pagingCaseArbitrary, pagingInputArbitrary } from '../generate/paging-arbitrary.ts';
import { checkSchema } from './schemas.ts';
import { pagingInputFromModel, pagingInputToModel, type PagingInputJson } from './paging.ts';

describe('paging input ⇄ model state', () => {
  it('JSON → model → JSON gives the canonical form back (lower case, sorted, non-zero qwords)', () => {
    const input: PagingInputJson = {
      cpu: { maxphyaddr: 40, features: ['pdpe1gb', 'nx'] },
      regs: { cr0: '0X80010033', cr3: '0x1000', cr4: '0x20', efer: '0xD00', rflags: '0x2', pkru: '0xC', cpl: 3 },
      memory: [{ pa: '0x2000', value: '0x3007' }, { pa: '0x1000', value: '0x2007' }, { pa: '0x3000', value: '0x0' }],
      access: { va: '0xFFFF800000001000', kind: 'fetch', implicit: false },
    };
    const { state, access } = pagingInputToModel(input);
    expect(state.regs.pkru).toBe(0xc);
    expect(state.cpu.features.has('pdpe1gb')).toBe(true);
    expect(access.va).toEqual({ hi: 0xffff8000, lo: 0x1000 });
    expect(pagingInputFromModel(state, access)).toEqual({
      cpu: { maxphyaddr: 40, features: ['nx', 'pdpe1gb'] },
      regs: { cr0: '0x80010033', cr3: '0x1000', cr4: '0x20', efer: '0xd00', rflags: '0x2', pkru: '0xc', cpl: 3 },
      memory: [{ pa: '0x1000', value: '0x2007' }, { pa: '0x2000', value: '0x3007' }],
      access: { va: '0xffff800000001000', kind: 'fetch', implicit: false },
    });
  });

  it('model → JSON → model is the identity on generated cases, and every case is a possible state', () => {
    fc.assert(fc.property(pagingCaseArbitrary(), ({ state, access }) => {
      expect([...validateState(state.cpu, state.regs), ...validateAccess(access)]).toEqual([]);
      const json = pagingInputFromModel(state, access);
      expect(checkSchema('paging-input.schema.json', json)).toBeUndefined();
      const back = pagingInputToModel(json);
      expect(back.access).toEqual(access);
      expect(back.state.regs).toEqual(state.regs);
      expect([...back.state.memory.nonZeroQwords()]).toEqual([...state.memory.nonZeroQwords()]);
    }), { numRuns: numRuns(200) });
  });

  it('the JSON arbitrary gives schema-valid inputs', () => {
    fc.assert(fc.property(pagingInputArbitrary(), (json) => checkSchema('paging-input.schema.json', json) === undefined), { numRuns: numRuns(100) });
  });
});
