import { beforeAll, describe, expect, it } from 'vitest';
import { checkHandoff } from '../../model/handoff/checker.ts';
import { buildHandoff, DEFAULT_PLAN, type Breakage, type BuiltHandoff, type Layout } from '../../model/handoff/loader.ts';
import type { HandoffReport } from '../../model/handoff/types.ts';
import { bootMany, type BootResult } from './boot.ts';
import { ensureBuilt } from './build.ts';
import { expectedBoot, handoffBootFiles, observeBoot } from './handoff-boot.ts';

// Every hand-off the model's loader builds here is booted on OVMF (one boot each, two at
// a time): the checker's prediction — runs, or triple-faults at a given step — must be
// what QEMU does.
const SCENARIOS: readonly { layout: Layout; breakage: Breakage; clause: string }[] = [
  { layout: 'recursive', breakage: 'none', clause: 'HANDOFF.IDT.USABLE' },
  { layout: 'recursive', breakage: 'trampoline-unmapped', clause: 'HANDOFF.CR3.NEXT_FETCH_MAPPED' },
  { layout: 'recursive', breakage: 'stack-unmapped', clause: 'HANDOFF.STACK.WRITABLE' },
  { layout: 'recursive', breakage: 'xd-with-nxe-off', clause: 'HANDOFF.NXE.XD_RESERVED' },
  { layout: 'recursive', breakage: 'entry-not-executable', clause: 'HANDOFF.ENTRY.EXECUTABLE' },
  { layout: 'recursive', breakage: 'boot-info-unmapped', clause: 'HANDOFF.BOOTINFO.MAPPED' },
  { layout: 'direct-map', breakage: 'none', clause: 'HANDOFF.MAP.PHYS_WIDTH' },
  { layout: 'direct-map', breakage: 'trampoline-unmapped', clause: 'HANDOFF.CR3.NEXT_FETCH_MAPPED' },
  { layout: 'identity-higher-half', breakage: 'none', clause: 'HANDOFF.IDT.USABLE' },
];

let built: BuiltHandoff[];
let reports: HandoffReport[];
let boots: BootResult[];

beforeAll(async () => {
  const { layout: code } = ensureBuilt();
  built = SCENARIOS.map((s) => buildHandoff({ ...DEFAULT_PLAN, layout: s.layout, breakage: s.breakage, code }));
  reports = built.map((b) => checkHandoff(b.state));
  boots = await bootMany(built.map(handoffBootFiles), 2, { timeoutMs: 60_000 });
}, 600_000);

describe('hand-offs on OVMF: the checker predicts what QEMU does', () => {
  SCENARIOS.forEach((s, i) => {
    it(`${s.clause}: ${s.layout} / ${s.breakage}`, () => {
      const report = reports[i]!;
      expect(report.violations.map((v) => v.clause)).toContain(s.clause);
      const want = expectedBoot(report.prediction);
      const got = observeBoot(boots[i]!, built[i]!);
      expect(got.problems).toEqual([]);
      expect({ milestones: got.milestones, tripleFault: got.tripleFault, exitStatus: got.exitStatus }).toEqual(want);
      if (s.breakage === 'none') expect(report.prediction.outcome).toBe('runs');
      else expect(report.prediction).toMatchObject({ outcome: 'triple-fault' });
    });
  });
});
