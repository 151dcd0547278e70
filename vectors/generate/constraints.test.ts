import { describe, expect, it } from 'vitest';
import { walk } from '../../model/paging/walk.ts';
import { pagingInputToModel, type PagingInputJson } from '../io/paging.ts';
import { runnerConstraintProblems } from './constraints.ts';

const base: PagingInputJson = {
  cpu: { maxphyaddr: 46, features: ['nx'] },
  regs: { cr0: '0x80010033', cr3: '0x1000', cr4: '0x20', efer: '0xd00', rflags: '0x2', pkru: '0x0', cpl: 0 },
  memory: [{ pa: '0x1000', value: '0x2003' }, { pa: '0x2000', value: '0x3003' }, { pa: '0x3010', value: '0x4003' }, { pa: '0x4018', value: '0x5003' }],
  access: { va: '0x403010', kind: 'read', implicit: false },
};

function problems(edit: (i: { memory: { pa: string; value: string }[]; access: { va: string; kind: 'read' | 'write' | 'fetch' } }) => void): string[] {
  const input = structuredClone(base) as unknown as Parameters<typeof edit>[0] & PagingInputJson;
  edit(input);
  const { state, access } = pagingInputToModel(input);
  return runnerConstraintProblems(input, walk(state, access));
}

describe('runner constraints', () => {
  it('accept a small walk inside the windows', () => expect(problems(() => {})).toEqual([]));

  it('reject a page outside the windows, and one whose 16 bytes cross the page end', () => {
    expect(problems((i) => { i.memory[3]!.value = '0x9f003'; })).toEqual([expect.stringContaining('outside the vector windows')]);
    expect(problems((i) => { i.access.va = '0x403ff8'; })).toEqual(['the access crosses a page boundary']);
  });

  it('reject tables outside the windows (the walk reads them)', () => {
    expect(problems((i) => { i.memory[0]!.value = '0xa0003'; })).toEqual([expect.stringContaining('the walk reads 0xa0000')]);
  });

  it("reject the runner's PML4 slot, listed or used", () => {
    expect(problems((i) => { i.memory.push({ pa: '0x1a00', value: '0x1' }); })).toContain("the runner's PML4 slot 320 is listed");
    expect(problems((i) => { i.access.va = '0xffffa00000403010'; })).toContain("the access uses the runner's PML4 slot 320");
  });

  it('reject a fetch of listed qwords and a write onto one', () => {
    expect(problems((i) => { i.memory[3]!.value = '0x4003'; i.access.kind = 'fetch'; i.access.va = '0x403010'; })).toEqual([expect.stringContaining('overlaps listed qword 0x4018')]);
    expect(problems((i) => { i.memory[3]!.value = '0x4003'; i.access.kind = 'write'; i.access.va = '0x403018'; })).toEqual([expect.stringContaining('the write at 0x4018 overlaps listed qword 0x4018')]);
    expect(problems((i) => { i.memory[3]!.value = '0x4003'; i.access.kind = 'read'; i.access.va = '0x403018'; })).toEqual([]);
  });
});
