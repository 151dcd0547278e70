// Reserved bits: setting, in any entry on a walk's path, one bit that is reserved for
// that entry under that CPU and state gives #PF with RSVD = 1 and P = 1 whatever the
// other bits are; the walk stops there; that entry and everything below keep their
// value, no D is set anywhere, and only the entries above may gain A (as the model's
// permitted set says).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { walk } from '../../model/paging/walk.ts';
import { performAccess } from '../../model/paging/access.ts';
import { permittedOutcome } from '../../model/paging/expectation.ts';
import { toBigInt } from '../../model/paging/u64.ts';
import { numRuns } from '../support/runs.ts';
import { oracleAccess } from '../support/oracle.ts';
import { oracleStateOf, pagingStateOf, scenarioAccessArb, type Scenario, type ScenarioAccess } from '../support/arbitraries-tables.ts';
import { accessOf, memoryDiff, memoryMap } from '../support/compare.ts';

/** The bits that are reserved in `entry` at `level` under the scenario's CPU and registers. */
function reservedBitsFor(s: Scenario, entry: bigint, level: number): number[] {
  const bits: number[] = [];
  for (let b = s.cpu.maxPhyAddr; b <= 51; b++) bits.push(b); // PG.RSVD.MAXPHYADDR
  if ((s.regs.efer & 0x800n) === 0n) bits.push(63); // PG.RSVD.XD_WITHOUT_NXE
  const ps = (entry & 0x80n) !== 0n;
  if (level === 4) bits.push(7); // PG.RSVD.PML4E.PS
  if (level === 3 && !s.cpu.features.has('pdpe1gb')) bits.push(7); // PG.RSVD.PDPTE.PS_NO_1G
  if (level === 3 && ps && s.cpu.features.has('pdpe1gb')) for (let b = 13; b <= 29; b++) bits.push(b); // PG.RSVD.PDPTE_1G.LOW
  if (level === 2 && ps) for (let b = 13; b <= 20; b++) bits.push(b); // PG.RSVD.PDE_2M.LOW
  return bits;
}

interface Injected {
  readonly sa: ScenarioAccess;
  /** Position of the poisoned entry on the path (0 = PML4E). */
  readonly step: number;
  readonly pa: bigint;
  readonly bit: number;
}

/** A scenario access whose walk reaches some present, well-formed entry, with one reserved bit set in it. */
const injectedArb: fc.Arbitrary<Injected> = scenarioAccessArb
  .map((sa) => ({ sa, o: oracleAccess(oracleStateOf(sa.scenario), sa.va, sa.kind, sa.implicit) }))
  .filter(({ o }) => o.kind === 'ok' || (o.kind === 'pf' && o.cause !== 'reserved' && o.entries.length > 0))
  .chain(({ sa, o }) => {
    const entries = o.kind === 'gp' ? [] : o.entries.filter((e) => (e.value & 1n) === 1n);
    if (entries.length === 0) return fc.constant({ sa, step: 0, pa: 0n, bit: -1 });
    return fc.nat(Math.max(0, entries.length - 1)).chain((step) => {
      const e = entries[step]!;
      // A qword that also serves higher up the path (a recursive slot) would be read there first.
      if (entries.slice(0, step).some((x) => x.pa === e.pa)) return fc.constant({ sa, step, pa: e.pa, bit: -1 });
      const bits = reservedBitsFor(sa.scenario, e.value, e.level);
      return fc.constantFrom(...(bits.length > 0 ? bits : [-1])).map((bit) => ({ sa, step, pa: e.pa, bit }));
    });
  })
  .filter((x) => x.bit >= 0)
  .map((x) => {
    const memory = new Map(x.sa.scenario.memory);
    memory.set(x.pa, (memory.get(x.pa) ?? 0n) | (1n << BigInt(x.bit)));
    return { ...x, sa: { ...x.sa, scenario: { ...x.sa.scenario, memory } } };
  });

describe('reserved bits', () => {
  it('one reserved bit anywhere on the path gives #PF with RSVD = 1 and P = 1 and stops the walk there [PG.RSVD.MAXPHYADDR, PG.RSVD.PML4E.PS, PG.RSVD.PDPTE.PS_NO_1G, PG.RSVD.PDPTE_1G.LOW, PG.RSVD.PDE_2M.LOW, PG.RSVD.XD_WITHOUT_NXE, PG.RSVD.STOPS_WALK, PG.PF.EC.RSVD]', () => {
    fc.assert(fc.property(injectedArb, ({ sa, step, pa }) => {
      const r = walk(pagingStateOf(sa.scenario), accessOf(sa));
      expect(r.outcome).toBe('fault');
      if (r.outcome !== 'fault' || r.vector !== 14) throw new Error(`expected #PF, got vector ${r.outcome === 'fault' ? r.vector : 'none'}`);
      expect(r.errorCode & 0x9).toBe(0x9);
      expect(r.errorCode & 0x20).toBe(0); // a reserved-bit fault is not a key fault
      // The walk read the poisoned entry last: nothing below it was read.
      expect(r.trace.length).toBe(step + 1);
      expect(BigInt(r.trace[step]!.entryPa)).toBe(pa);
    }), { numRuns: numRuns(300) });
  });

  it('a reserved-bit fault changes no D and no A at or below the poisoned entry; the permitted set lists only upper A bits [PG.AD.FAULT_LEAF_UNCHANGED, PG.AD.FAULT_MAY_SET_UPPER, PG.RSVD.STOPS_WALK]', () => {
    fc.assert(fc.property(injectedArb, ({ sa }) => {
      const st = pagingStateOf(sa.scenario);
      const before = memoryMap(st.memory);
      const { expect: permitted, result } = permittedOutcome(st, accessOf(sa));
      expect(result.outcome).toBe('fault');
      const faulting = BigInt(result.trace[result.trace.length - 1]!.entryPa);
      const upper = new Set(result.trace.slice(0, -1).map((t) => BigInt(t.entryPa)));
      for (const m of permitted.memory) {
        const pa = BigInt(m.pa);
        expect(pa).not.toBe(faulting);
        expect(upper.has(pa)).toBe(true);
        const v = before.get(pa) ?? 0n;
        expect(m.oneOf.map(toBigInt).sort()).toEqual([v, v | 0x20n].sort());
        expect(v & 0x20n).toBe(0n);
      }
      performAccess(st, accessOf(sa));
      expect(memoryDiff(before, memoryMap(st.memory))).toEqual(new Map());
    }), { numRuns: numRuns(200) });
  });

  it('whatever else the other bits say, the error code is P|RSVD plus W/U/I-D of the access [PG.PF.EC.RSVD, PG.PF.EC.P, PG.PF.EC.WR, PG.PF.EC.US, PG.PF.EC.ID]', () => {
    fc.assert(fc.property(injectedArb, ({ sa }) => {
      const r = walk(pagingStateOf(sa.scenario), accessOf(sa));
      if (r.outcome !== 'fault' || r.vector !== 14) throw new Error('expected #PF');
      const regs = sa.scenario.regs;
      let ec = 0x9;
      if (sa.kind === 'write') ec |= 0x2;
      if (regs.cpl === 3 && !sa.implicit) ec |= 0x4;
      if (sa.kind === 'fetch' && ((regs.efer & 0x800n) !== 0n || (regs.cr4 & (1n << 20n)) !== 0n)) ec |= 0x10;
      expect(r.errorCode).toBe(ec);
    }), { numRuns: numRuns(200) });
  });
});
