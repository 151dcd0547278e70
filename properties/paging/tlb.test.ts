// TLB staleness: a processor with a TLB (the model's fast `Mmu`) runs random sequences of
// accesses, page-table edits without invalidation, INVLPG and CR3 writes over generated
// tables. Every answer it gives must be one the TLB model permits at that moment (the
// fresh walk, or a translation cached since the last invalidation); right after INVLPG of
// an address or a CR3 write, and after a fault, only the fresh walk is permitted.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Mmu } from '../../model/paging/mmu.ts';
import { TlbModel, type PermittedResult } from '../../model/paging/tlb.ts';
import { walk } from '../../model/paging/walk.ts';
import { physAddr } from '../../model/paging/addr.ts';
import { fromBigInt, toBigInt } from '../../model/paging/u64.ts';
import type { AccessKind } from '../../model/paging/types.ts';
import { numRuns } from '../support/runs.ts';
import { accessKindArb, toVirt } from '../support/arbitraries.ts';
import { pagingStateOf, scenarioArb, targetVaArb } from '../support/arbitraries-tables.ts';

type Op =
  | { op: 'access'; target: number; offset: number; kind: AccessKind }
  | { op: 'edit'; entry: number; bit: number }
  | { op: 'invlpg'; target: number }
  | { op: 'cr3' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ op: fc.constant('access' as const), target: fc.nat(), offset: fc.constantFrom(0, 0, 8, 0xff8, 0x10, 0x1000), kind: fc.oneof(fc.constant('read' as const), accessKindArb) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('edit' as const), entry: fc.nat(), bit: fc.constantFrom(0, 1, 2, 5, 6, 8, 12, 13, 21, 63) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('invlpg' as const), target: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ op: 'cr3' as const }) },
);

const tlbCase = scenarioArb.chain((scenario) =>
  fc.record({ scenario: fc.constant(scenario), extra: fc.array(targetVaArb, { maxLength: 3 }), ops: fc.array(opArb, { minLength: 5, maxLength: 80, size: 'medium' }) }));

const show = (p: PermittedResult): string => {
  if (p.source === 'walk') {
    const r = p.result;
    return r.outcome === 'ok' ? `ok 0x${r.pa.toString(16)}` : `fault ${r.vector} 0x${r.errorCode.toString(16)}`;
  }
  return p.outcome === 'ok' ? `ok 0x${p.pa.toString(16)}` : `fault 14 0x${p.errorCode.toString(16)}`;
};

describe('TLB staleness', () => {
  it('a TLB-backed MMU only ever answers with an outcome the TLB model permits [PG.TLB.MAY_CACHE, PG.TLB.INVLPG, PG.TLB.CR3_WRITE, PG.TLB.GLOBAL, PG.TLB.DIRTY_REWALK, PG.TLB.FAULT_INVALIDATES, PG.TLB.NOT_PRESENT_NOT_CACHED, PG.TLB.SPURIOUS_FAULT]', () => {
    fc.assert(fc.property(tlbCase, ({ scenario, extra, ops }) => {
      const state = pagingStateOf(scenario);
      const mmu = new Mmu(state);
      const tlb = new TlbModel();
      const pge = (scenario.regs.cr4 & 0x80n) !== 0n;
      const all = [...scenario.targets, ...extra];
      // Mostly addresses that translate at the start, so the TLB really fills and goes stale.
      const translating = all.filter((va) => walk(state, { va: toVirt(va), kind: 'read', implicit: false }).outcome === 'ok');
      fc.pre(translating.length > 0);
      const targets = [...translating, ...translating, ...translating, ...all];
      const entries = [...scenario.memory.keys()];
      for (const op of ops) {
        if (op.op === 'access') {
          const va = toVirt(targets[op.target % targets.length]! + BigInt(op.offset));
          const access = { va, kind: op.kind, implicit: false };
          const permitted = tlb.permitted(state, access).map(show);
          const fresh = walk(state, access);
          const misses = mmu.misses;
          const pa = mmu.access(va, op.kind);
          const observed = pa >= 0 ? `ok 0x${pa.toString(16)}` : `fault ${mmu.faultVector} 0x${mmu.faultErrorCode.toString(16)}`;
          expect(permitted).toContain(observed);
          if (mmu.misses !== misses) tlb.record(access, fresh);
          if (fresh.outcome === 'fault' && fresh.vector === 14 && mmu.misses !== misses) {
            // PG.TLB.FAULT_INVALIDATES / NOT_PRESENT_NOT_CACHED: after the fault only a fresh walk remains.
            expect(tlb.permitted(state, access).filter((p) => p.source === 'cache')).toEqual([]);
          }
        } else if (op.op === 'edit' && entries.length > 0) {
          const at = physAddr(Number(entries[op.entry % entries.length]!));
          const v = toBigInt(state.memory.read64(at)) ^ (1n << BigInt(op.bit));
          state.memory.write64(at, fromBigInt(v));
        } else if (op.op === 'invlpg') {
          const va = toVirt(targets[op.target % targets.length]!);
          mmu.invlpg(va);
          tlb.invlpg(va);
          expect(tlb.permitted(state, { va, kind: 'read', implicit: false }).map((p) => p.source)).toEqual(['walk']);
        } else if (op.op === 'cr3') {
          mmu.flush();
          tlb.writeCr3(pge);
          if (!pge) expect(tlb.cached).toEqual([]);
          else expect(tlb.cached.every((e) => e.global)).toBe(true);
        }
      }
    }), { numRuns: numRuns(60) });
  });
});
