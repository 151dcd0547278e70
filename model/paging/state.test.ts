// What validateState and validateAccess reject, checked problem by problem: the path,
// the clause (or none, when no SDM rule is broken), whether the state is merely not
// modelled, and a message that names the offending setting. The register-by-register
// table of hand-computed states is in handcomputed/state.test.ts; this file covers the
// rejections without a clause and the range edges.
//   CR4 bits (SDM Vol. 3A §2.5): PAE 5, PCIDE 17, SMEP 20, SMAP 21, PKE 22, PKS 24.
//   EFER bits: LME 8, LMA 10, NXE 11.
import { describe, expect, it } from 'vitest';
import { validateAccess, validateState } from './state.ts';
import { FEATURES, type CpuModel, type Feature, type Registers } from './types.ts';
import { fromBigInt } from './u64.ts';
import { virtAddr } from './addr.ts';

const CPU: CpuModel = { maxPhyAddr: 46, features: new Set(FEATURES) };

/** A 4-level long-mode state the model walks (CR0 PG|WP|PE…, CR4 PAE, EFER NXE|LMA|LME). */
function regs(over: Partial<Registers> = {}): Registers {
  return {
    cr0: fromBigInt(0x8001_0033n), cr3: fromBigInt(0x1000n), cr4: fromBigInt(0x20n), efer: fromBigInt(0xd00n),
    rflags: fromBigInt(0x2n), pkru: 0, cpl: 0, ...over,
  };
}

const without = (f: Feature): CpuModel => ({ maxPhyAddr: 46, features: new Set(FEATURES.filter((x) => x !== f)) });

describe('validateState: settings x64spec does not model', () => {
  // PCIDs and supervisor keys are legal (SDM §4.10.1, §4.6.2) but outside the model: no clause is broken.
  it('CR4.PCIDE = 1 is reported as unsupported, without a clause', () => {
    expect(validateState(CPU, regs({ cr4: fromBigInt(0x2_0020n) }))).toStrictEqual([
      { path: 'regs.cr4', message: expect.stringContaining('CR4.PCIDE'), unsupported: true },
    ]);
  });
  it('CR4.PKS = 1 is reported as unsupported, without a clause', () => {
    expect(validateState(CPU, regs({ cr4: fromBigInt(0x100_0020n) }))).toStrictEqual([
      { path: 'regs.cr4', message: expect.stringContaining('CR4.PKS'), unsupported: true },
    ]);
  });
});

describe('validateState: states a processor cannot be in', () => {
  // PG.STATE.FEATURE_BITS (SDM §2.5, §4.1.4): each control bit names itself and the missing feature.
  const featureCases: [string, Partial<Registers>, Feature][] = [
    ['CR4.SMEP', { cr4: fromBigInt(0x10_0020n) }, 'smep'],
    ['CR4.SMAP', { cr4: fromBigInt(0x20_0020n) }, 'smap'],
    ['CR4.PKE', { cr4: fromBigInt(0x40_0020n) }, 'pku'],
    ['IA32_EFER.NXE', {}, 'nx'],
  ];
  for (const [name, over, feature] of featureCases) {
    it(`${name} without feature '${feature}' names the bit [PG.STATE.FEATURE_BITS]`, () => {
      const [p, ...rest] = validateState(without(feature), regs(over));
      expect(rest).toEqual([]);
      expect(p).toMatchObject({ clause: 'PG.STATE.FEATURE_BITS', unsupported: false });
      expect(p!.message).toContain(name);
      expect(p!.message).toContain(feature);
    });
  }

  // CPL is a privilege level, 0 to 3 (SDM Vol. 3A §5.5); nothing else can be current.
  it('CPL outside 0–3 or not an integer is rejected with the value in the message', () => {
    for (const cpl of [-1, 1.5, 4]) {
      expect(validateState(CPU, regs({ cpl: cpl as never }))).toStrictEqual([
        { path: 'regs.cpl', message: expect.stringContaining(`got ${cpl}`), unsupported: false },
      ]);
    }
    expect(validateState(CPU, regs({ cpl: 3 }))).toEqual([]);
  });

  // PKRU is a 32-bit register (SDM Vol. 3A §4.6.2): 0xffff_ffff is its largest value.
  it('PKRU must be a 32-bit value', () => {
    expect(validateState(CPU, regs({ pkru: 0xffff_ffff }))).toEqual([]);
    for (const pkru of [0x1_0000_0000, -1, 0.5]) {
      expect(validateState(CPU, regs({ pkru }))).toStrictEqual([
        { path: 'regs.pkru', message: expect.stringContaining('PKRU'), unsupported: false },
      ]);
    }
  });

  // PG.STATE.MAXPHYADDR (SDM §4.1.4): an integer from 32 to 52. At 32 every CR3 bit from 32 up is reserved (PG.CR3.RESERVED).
  it('MAXPHYADDR 32 is the smallest; bit 32 of CR3 is then reserved', () => {
    const cpu32: CpuModel = { maxPhyAddr: 32, features: new Set(FEATURES) };
    expect(validateState(cpu32, regs({ cr3: fromBigInt(0xffff_f000n) }))).toEqual([]);
    expect(validateState(cpu32, regs({ cr3: fromBigInt(0x1_0000_0000n) })).map((p) => [p.path, p.clause])).toEqual([['regs.cr3', 'PG.CR3.RESERVED']]);
  });
  it('a MAXPHYADDR that is not an integer is rejected, naming it', () => {
    const [p, ...rest] = validateState({ maxPhyAddr: 40.5, features: new Set(FEATURES) }, regs());
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ path: 'cpu.maxphyaddr', clause: 'PG.STATE.MAXPHYADDR', unsupported: false });
    expect(p!.message).toContain('40.5');
  });
});

describe('validateAccess', () => {
  // PG.MODE.IMPLICIT_SUPERVISOR (SDM §4.6): implicit accesses read system structures; none is a fetch.
  it('rejects an implicit instruction fetch, naming the access', () => {
    const va = virtAddr(fromBigInt(0x1000n));
    expect(validateAccess({ va, kind: 'fetch', implicit: true })).toStrictEqual([
      { path: 'access', message: expect.stringContaining('fetch'), unsupported: false, clause: 'PG.MODE.IMPLICIT_SUPERVISOR' },
    ]);
    expect(validateAccess({ va, kind: 'fetch', implicit: false })).toEqual([]);
  });
});
