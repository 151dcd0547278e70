/** What the hand-off checker reports. */
import type { HandoffClauseId } from '../../spec/clauses/handoff.ts';
import type { VirtAddr } from '../paging/addr.ts';

/**
 * fault: breaks the hand-off itself (the CPU faults before or as the kernel starts);
 * latent: the kernel will fault or corrupt memory later (freed tables, runtime calls, drawing);
 * warning: not wrong now but leaves no margin (no usable IDT).
 */
export type Severity = 'fault' | 'latent' | 'warning';

export interface Violation {
  readonly clause: HandoffClauseId;
  readonly severity: Severity;
  /** One or two sentences a kernel author understands. */
  readonly message: string;
  /** JSON path of the state field the violation is about. */
  readonly path: string;
}

/** The steps of the switch in execution order. */
export type Stage = 'mov-cr3' | 'after-cr3' | 'stack' | 'entry' | 'boot-info' | 'gdt';

export type Prediction =
  /** Every step works: the kernel runs and reads its boot information. */
  | { readonly outcome: 'runs' }
  /** A step faults and the fault (then the double fault) cannot be delivered: the CPU shuts down. */
  | {
      readonly outcome: 'triple-fault'; readonly stage: Stage; readonly vector: 13 | 14; readonly explanation: string;
      /** For a #PF, the linear address that faulted (what CR2 receives; PG.PF.CR2). */
      readonly address?: VirtAddr;
    }
  /** A step faults and the IDT delivers it (`vector` 8 when only the double fault gets through). */
  | { readonly outcome: 'exception'; readonly stage: Stage; readonly vector: number; readonly explanation: string; readonly address?: VirtAddr }
  /** The state is not one the checker can judge (not 4-level paging, impossible registers). */
  | { readonly outcome: 'invalid'; readonly explanation: string };

export interface HandoffReport {
  readonly violations: readonly Violation[];
  readonly prediction: Prediction;
}
