// Hand-offs the model's own loader builds pass the checker in every layout (identity +
// higher half, a 1 GiB direct map, a recursive slot), with the synthetic kernel or an ELF
// kernel planned by model/elf; each classic breakage is caught at its own step.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHandoff } from '../../model/handoff/checker.ts';
import { handoffStateToJson, parseHandoffState } from '../../model/handoff/json.ts';
import { buildHandoff, type Breakage } from '../../model/handoff/loader.ts';
import { numRuns } from '../support/runs.ts';
import { loaderPlanArb } from './arbitraries.ts';

const ALLOWED = new Set(['HANDOFF.IDT.USABLE', 'HANDOFF.MAP.PHYS_WIDTH']);

describe('hand-off properties', () => {
  it('HANDOFF.CR3.NEXT_FETCH_MAPPED / HANDOFF.STACK.WRITABLE / HANDOFF.ENTRY.EXECUTABLE / HANDOFF.MEM.NOT_FREE: the model loader\'s hand-off runs in every layout', () => {
    fc.assert(fc.property(loaderPlanArb, (plan) => {
      const b = buildHandoff(plan);
      const r = checkHandoff(b.state);
      expect(r.prediction).toEqual({ outcome: 'runs' });
      expect(r.violations.filter((v) => !ALLOWED.has(v.clause))).toEqual([]);
      // The 64 TiB direct map is only a problem on machines narrower than 46 bits.
      const wide = r.violations.some((v) => v.clause === 'HANDOFF.MAP.PHYS_WIDTH');
      expect(wide).toBe(plan.layout === 'direct-map' && plan.maxPhyAddr < 46);
    }), { numRuns: numRuns(40) });
  });

  it('HANDOFF.FAULT.TRIPLE: each breakage faults at its step, names its clause, and survives the JSON round trip', () => {
    const expected: Record<Exclude<Breakage, 'none' | 'tables-in-boot-services-data'>, [string, string]> = {
      'trampoline-unmapped': ['after-cr3', 'HANDOFF.CR3.NEXT_FETCH_MAPPED'],
      'stack-unmapped': ['stack', 'HANDOFF.STACK.WRITABLE'],
      'xd-with-nxe-off': ['stack', 'HANDOFF.NXE.XD_RESERVED'],
      'entry-not-executable': ['entry', 'HANDOFF.ENTRY.EXECUTABLE'],
      'boot-info-unmapped': ['boot-info', 'HANDOFF.BOOTINFO.MAPPED'],
    };
    const breakageArb = fc.constantFrom(...(Object.keys(expected) as (keyof typeof expected)[]));
    fc.assert(fc.property(loaderPlanArb, breakageArb, (plan, breakage) => {
      const b = buildHandoff({ ...plan, breakage });
      const r = checkHandoff(b.state);
      const [stage, clause] = expected[breakage];
      expect(r.prediction).toMatchObject({ outcome: 'triple-fault', stage });
      expect(r.violations[0]?.clause).toBe(clause);
      const back = parseHandoffState(JSON.parse(JSON.stringify(handoffStateToJson(b.state))));
      expect(back.ok && checkHandoff(back.state)).toEqual(r);
    }), { numRuns: numRuns(30) });
  });

  it('HANDOFF.MEM.NOT_FREE: tables allocated as boot-services data are always reported, and only as latent', () => {
    fc.assert(fc.property(loaderPlanArb, (plan) => {
      const r = checkHandoff(buildHandoff({ ...plan, breakage: 'tables-in-boot-services-data' }).state);
      expect(r.prediction).toEqual({ outcome: 'runs' });
      const mem = r.violations.filter((v) => v.clause === 'HANDOFF.MEM.NOT_FREE');
      expect(mem.map((v) => v.path)).toEqual(['$.regs.cr3', '$.stack', '$.bootInfo', '$.entry']);
      expect(mem.every((v) => v.severity === 'latent')).toBe(true);
    }), { numRuns: numRuns(20) });
  });
});
