/**
 * End-to-end hand-offs on OVMF: the application allocates the loader region, copies in
 * the tables the model built, runs the exit retry loop, switches CR3 and jumps to the
 * tiny kernel. The milestones the trampoline and kernel print (switch.S) say how far the
 * switch got, which is how a boot is turned back into the checker's terms.
 */
import type { HandoffState } from '../../model/handoff/state.ts';
import type { Stage } from '../../model/handoff/types.ts';
import type { BootFiles } from './boot.ts';
import { encodeHandoff, type BootPlacement } from './handoff-image.ts';
import { renderScript } from './script.ts';

/** The milestones printed before each stage runs (T before MOV CR3, S after it, P after the push, E in the kernel, K after its first read). */
export const MILESTONES_BEFORE: Record<Stage, string> = {
  'mov-cr3': '', 'after-cr3': 'T', stack: 'TS', entry: 'TSP', 'boot-info': 'TSPE', gdt: 'TSPEK',
};

/** What a boot prints when every stage worked and the kernel reported. */
export const MILESTONES_RUNS = 'TSPEK';

/** The ESP files for a hand-off state placed as `place` says: the retry loop, then the hand-off. */
export function placedBootFiles(state: HandoffState, place: BootPlacement): BootFiles {
  return { script: renderScript([{ cmd: 'exitloop' }, { cmd: 'handoff' }]), handoff: encodeHandoff(state, place) };
}
