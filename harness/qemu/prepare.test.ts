import { describe, expect, it } from 'vitest';
import type { JsonObject, Vector } from '../types.ts';
import { fromBigInt as b } from '../../model/paging/u64.ts';
import { prepare } from './prepare.ts';

function vector(over: { regs?: JsonObject; access?: JsonObject; memory?: JsonObject[]; cpu?: JsonObject } = {}): Vector {
  return {
    id: 'v', suite: 'paging', title: 't', clauses: [], expect: {},
    input: {
      cpu: { maxphyaddr: 46, features: ['nx', 'smep', 'smap', 'pku', 'pdpe1gb'], ...over.cpu },
      regs: { cr0: '0x80010033', cr3: '0x1000', cr4: '0x7006a0', efer: '0xd00', rflags: '0x40002', pkru: '0x1c', cpl: 3, ...over.regs },
      memory: over.memory ?? [{ pa: '0x1000', value: '0x2007' }, { pa: '0x2000', value: '0x3007' }],
      access: { va: '0x403000', kind: 'write', implicit: false, ...over.access },
    },
  };
}

function reason(v: Vector): string {
  const p = prepare(v);
  if (p.ok) throw new Error('expected no guest case');
  return 'unsupported' in p ? p.unsupported : p.error;
}

describe('prepare', () => {
  it('takes the paging-relevant register bits, CPL, PKRU and the slot the runner borrows', () => {
    const p = prepare(vector());
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.prepared.profile).toEqual({ maxphyaddr: 46, pdpe1gb: true });
    expect(p.prepared.guest).toMatchObject({
      kind: 'write', implicit: false, cpl: 3, wp: true, smep: true, smap: true, pke: true, nxe: true, ac: true,
      pkru: 0x1c, cr3: b(0x1000n), va: b(0x403000n), slotPa: 0x1000 + 320 * 8,
      memory: [{ pa: 0x1000, value: b(0x2007n) }, { pa: 0x2000, value: b(0x3007n) }],
    });
  });

  it('finds the PML4 slot through the CR3 address bits only', () => {
    const p = prepare(vector({ regs: { cr3: '0x5018' } }));
    expect(p.ok && p.prepared.guest.slotPa).toBe(0x5000 + 320 * 8);
  });

  it('says unsupported for what the runner cannot perform faithfully', () => {
    expect(reason(vector({ access: { implicit: true } }))).toMatch(/implicit supervisor-mode write/);
    expect(reason(vector({ access: { implicit: true, kind: 'read', va: '0x800000000000' } }))).toMatch(/non-canonical/);
    expect(reason(vector({ access: { implicit: true, kind: 'read', va: '0x403ffc' } }))).toMatch(/cross into the next page/);
    expect(reason(vector({ access: { va: '0xffffa00000001000' } }))).toMatch(/PML4 slot 320/);
    expect(reason(vector({ memory: [{ pa: '0xa0000', value: '0x1' }] }))).toMatch(/memory\[0\] at 0xa0000 lies outside/);
    expect(reason(vector({ memory: [{ pa: '0x1a00', value: '0x1' }] }))).toMatch(/memory\[0\] is PML4 slot 320/);
    expect(reason(vector({ regs: { cr3: '0x9000000' } }))).toMatch(/PML4 table .* outside/);
    expect(reason({ ...vector(), suite: 'elf' })).toMatch(/paging vectors only/);
  });

  it('says unsupported for states no processor can be in (the model flags them)', () => {
    expect(reason(vector({ regs: { cr3: '0x10000000001000' } }))).toMatch(/cannot be loaded.*regs\.cr3/);
    expect(reason(vector({ cpu: { features: ['nx'] } }))).toMatch(/CR4\.SMEP is set but the CPU lacks/);
  });
});

describe('prepare parses 64-bit values exactly', () => {
  it('reads every hex digit, in either case, and rejects what is not 0x…', () => {
    const p = prepare(vector({ access: { va: '0xFFFF80000040300A', kind: 'read' }, memory: [{ pa: '0x1000', value: '0x8000000000000001' }] }));
    expect(p.ok && p.prepared.guest.va).toEqual(b(0xffff_8000_0040_300an));
    expect(p.ok && p.prepared.guest.memory[0]!.value).toEqual(b(0x8000_0000_0000_0001n));
    expect(reason(vector({ access: { va: '0x40300g' } }))).toMatch(/malformed paging input: \$\.input\.access\.va is not a 0x… value/);
    expect(reason(vector({ access: { va: '0x' } }))).toMatch(/access\.va is not a 0x… value/);
    expect(reason(vector({ memory: [{ pa: '0x1004', value: '0x1' }] }))).toMatch(/memory\[0\]\.pa is unaligned/);
  });
});
