/**
 * End-to-end hand-offs on OVMF: the application allocates the loader region, copies in
 * the tables the model built, runs the exit retry loop, switches CR3 and jumps to the
 * tiny kernel. What the checker predicts maps onto the milestones the trampoline and
 * kernel print (switch.S) and onto how QEMU ends.
 */
import type { BuiltHandoff } from '../../model/handoff/loader.ts';
import type { Prediction, Stage } from '../../model/handoff/types.ts';
import type { HandoffState } from '../../model/handoff/state.ts';
import { toHex } from '../../model/paging/u64.ts';
import type { BootFiles, BootResult } from './boot.ts';
import { KERNEL_EXIT_STATUS } from './boot.ts';
import { parseConsole } from './console.ts';
import { encodeHandoff, placementOf, type BootPlacement } from './handoff-image.ts';
import { renderScript } from './script.ts';

/** The milestones printed before each stage runs (T before MOV CR3, S after it, P after the push, E in the kernel, K after its first read). */
export const MILESTONES_BEFORE: Record<Stage, string> = {
  'mov-cr3': '', 'after-cr3': 'T', stack: 'TS', entry: 'TSP', 'boot-info': 'TSPE', gdt: 'TSPEK',
};

/** What the boot must show when the prediction is right. */
export interface ExpectedBoot {
  readonly milestones: string;
  readonly tripleFault: boolean;
  readonly exitStatus: number;
}

export function expectedBoot(p: Prediction): ExpectedBoot {
  switch (p.outcome) {
    case 'runs': return { milestones: 'TSPEK', tripleFault: false, exitStatus: KERNEL_EXIT_STATUS };
    // With -no-reboot QEMU exits with status 0 after the shutdown (NOTES.md).
    case 'triple-fault': return { milestones: MILESTONES_BEFORE[p.stage], tripleFault: true, exitStatus: 0 };
    case 'exception':
    case 'invalid':
      throw new Error(`the OVMF hand-off scenarios load no IDT; a prediction of '${p.outcome}' cannot be booted`);
  }
}

export function handoffBootFiles(built: BuiltHandoff): BootFiles {
  return placedBootFiles(built.state, placementOf(built));
}

/** The ESP files for a hand-off state placed as `place` says. */
export function placedBootFiles(state: HandoffState, place: BootPlacement): BootFiles {
  return { script: renderScript([{ cmd: 'exitloop' }, { cmd: 'handoff' }]), handoff: encodeHandoff(state, place) };
}

/** What QEMU showed, in the same terms as `ExpectedBoot`, plus what went wrong before the jump. */
export interface ObservedBoot extends ExpectedBoot {
  readonly problems: readonly string[];
  readonly kernelBootInfo?: string;
}

export function observeBoot(boot: BootResult, built: BuiltHandoff): ObservedBoot {
  const report = parseConsole(boot.console);
  const problems: string[] = [...report.errors];
  if (boot.timedOut) problems.push('QEMU timed out');
  const exit = report.steps.find((s) => s.cmd === 'exitloop');
  if (exit === undefined || exit.fields.st !== '0x0') problems.push(`ExitBootServices did not succeed: ${JSON.stringify(exit?.fields ?? null)}`);
  if (!report.handoffLines.some((l) => l.startsWith('jump'))) problems.push(`the application never jumped: ${report.handoffLines.join(' | ')}`);
  if (report.milestones.includes('K') && report.kernelBootInfo !== toHex(built.state.memory.read64(built.bootInfoPa as never))) {
    problems.push(`the kernel read ${report.kernelBootInfo} from the boot information`);
  }
  return {
    milestones: report.milestones,
    tripleFault: boot.tripleFault,
    exitStatus: boot.exitStatus ?? -1,
    problems,
    ...(report.kernelBootInfo !== undefined ? { kernelBootInfo: report.kernelBootInfo } : {}),
  };
}
