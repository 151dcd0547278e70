/**
 * The hand-off checker: replays the switch (MOV CR3, the code after it, the first push,
 * the jump to the kernel, the kernel's first read) through the new tables with the
 * reference walk, predicts what the CPU does, and lists every rule the state breaks,
 * including the ones that only bite later (freed tables, runtime calls, the framebuffer).
 */
import type { HandoffClauseId } from '../../spec/clauses/handoff.ts';
import { canonicalFrom48, low48, type VirtAddr } from '../paging/addr.ts';
import { CR0_PE, CR0_PG, CR4_LA57, CR4_PAE, EFER_LME, EFER_NXE } from '../paging/regs.ts';
import { validateState } from '../paging/state.ts';
import { toHex, u64, type U64 } from '../paging/u64.ts';
import type { AccessKind, Fault, PagingState } from '../paging/types.ts';
import { checkLatent } from './latent.ts';
import { clauseOfFault, describeFault, faultName, isXdFetch, probe } from './probe.ts';
import { scanTables } from './scan.ts';
import type { HandoffState, TableRegister } from './state.ts';
import { STATE_PATHS } from './state.ts';
import type { HandoffReport, Prediction, Stage, Violation } from './types.ts';

const hex = (n: number): string => `0x${n.toString(16)}`;

/** The paging state the new tables run under: CPL 0 with the hand-off's registers. */
export function pagingStateOf(s: HandoffState, cr3: U64 = s.cr3): PagingState {
  return { cpu: s.cpu, regs: { cr0: s.cr0, cr3, cr4: s.cr4, efer: s.efer, rflags: u64(0, 2), pkru: 0, cpl: 0 }, memory: s.memory };
}

/** CR3's PML4 frame, or undefined when CR3 has bits at or above MAXPHYADDR (HANDOFF.CR3.VALID). */
function pml4Of(s: HandoffState): number | undefined {
  const width = s.cpu.maxPhyAddr;
  const hiMask = ~((2 ** Math.max(0, width - 32)) - 1) >>> 0;
  if ((s.cr3.hi & hiMask) !== 0) return undefined;
  return s.cr3.hi * 2 ** 32 + ((s.cr3.lo & 0xffff_f000) >>> 0);
}

interface Step {
  readonly stage: Stage;
  readonly range: { readonly va: VirtAddr; readonly length: number };
  readonly kind: AccessKind;
  readonly implicit: boolean;
  readonly clause: HandoffClauseId;
  readonly path: string;
  /** What the CPU is doing, for the sentence: "the fetch of the instruction after `mov cr3` at 0x…". */
  readonly what: string;
}

function stepsOf(s: HandoffState): Step[] {
  const rspLow = low48(s.stack.rsp) - s.stack.bytes;
  const steps: Step[] = [
    { stage: 'after-cr3', range: s.switchCode, kind: 'fetch', implicit: false, clause: 'HANDOFF.CR3.NEXT_FETCH_MAPPED', path: STATE_PATHS.switchCode,
      what: `the fetch of the instruction after \`mov cr3\` at ${toHex(s.switchCode.va)}` },
    { stage: 'stack', range: { va: vaFrom48(rspLow), length: s.stack.bytes }, kind: 'write', implicit: false, clause: 'HANDOFF.STACK.WRITABLE', path: STATE_PATHS.stack,
      what: `the first push onto the new stack (RSP ${toHex(s.stack.rsp)})` },
    { stage: 'entry', range: s.entry, kind: 'fetch', implicit: false, clause: 'HANDOFF.ENTRY.EXECUTABLE', path: STATE_PATHS.entry,
      what: `the jump to the kernel entry at ${toHex(s.entry.va)}` },
  ];
  if (s.bootInfo !== undefined) {
    steps.push({ stage: 'boot-info', range: s.bootInfo, kind: 'read', implicit: false, clause: 'HANDOFF.BOOTINFO.MAPPED', path: STATE_PATHS.bootInfo,
      what: `the kernel's first read of the boot information at ${toHex(s.bootInfo.va)}` });
  }
  if (s.gdtr?.used === true) {
    steps.push({ stage: 'gdt', range: { va: s.gdtr.base, length: s.gdtr.limit + 1 }, kind: 'read', implicit: true, clause: 'HANDOFF.GDT.MAPPED', path: STATE_PATHS.gdtr,
      what: `the kernel's segment reload, which reads the GDT at ${toHex(s.gdtr.base)}` });
  }
  return steps;
}

/** The linear address with these low 48 bits (wrapping below 0 and above 2^48), canonical. */
function vaFrom48(n: number): VirtAddr {
  return canonicalFrom48(((n % 2 ** 48) + 2 ** 48) % 2 ** 48);
}

/** Why vector `v` cannot be delivered through IDTR (and the GDT) under `ps`, or undefined when it can. */
export function deliveryProblem(ps: PagingState, idtr: TableRegister, gdtr: TableRegister | undefined, v: number): string | undefined {
  if (idtr.limit < v * 16 + 15) return `the IDTR limit ${hex(idtr.limit)} does not reach vector ${v}`;
  const gate = probe(ps, vaFrom48(low48(idtr.base) + v * 16), 16, 'read', true);
  if (!gate.ok) return `the IDT at ${toHex(idtr.base)} is not readable in the new tables (${describeFault(gate.fault, ps.cpu.maxPhyAddr)})`;
  if (gdtr !== undefined) {
    const gdt = probe(ps, gdtr.base, gdtr.limit + 1, 'read', true);
    if (!gdt.ok) return `the GDT at ${toHex(gdtr.base)}, which delivery needs for the handler's code segment, is not readable (${describeFault(gdt.fault, ps.cpu.maxPhyAddr)})`;
  }
  return undefined;
}

/** Turns a fault at a stage into the prediction: delivered, double fault, or triple fault (HANDOFF.FAULT.TRIPLE). */
function afterFault(ps: PagingState, s: HandoffState, stage: Stage, vector: 13 | 14, cause: string, address?: VirtAddr): Prediction {
  // A #PF reports its linear address in CR2 (PG.PF.CR2); a #GP has none.
  const at = vector === 14 && address !== undefined ? { address } : {};
  const own = deliveryProblem(ps, s.idtr, s.gdtr, vector);
  if (own === undefined) return { outcome: 'exception', stage, vector, explanation: `${cause}; the IDT delivers the exception to its handler`, ...at };
  const df = deliveryProblem(ps, s.idtr, s.gdtr, 8);
  if (df === undefined) return { outcome: 'exception', stage, vector: 8, explanation: `${cause}; ${own}, so the CPU raises a double fault, which the IDT delivers`, ...at };
  return { outcome: 'triple-fault', stage, vector, explanation: `${cause}; ${own}, so neither it nor the double fault can be delivered and the CPU triple-faults (QEMU resets)`, ...at };
}

/** Checks a hand-off state: every violation and what the CPU will do. */
export function checkHandoff(s: HandoffState): HandoffReport {
  const violations: Violation[] = [];
  const add = (clause: HandoffClauseId, severity: Violation['severity'], message: string, path: string): void => {
    violations.push({ clause, severity, message: message.charAt(0).toUpperCase() + message.slice(1), path });
  };

  // HANDOFF.MODE.FOUR_LEVEL: the checker judges 4-level paging only.
  const modeOk = (s.cr0.lo & CR0_PG) !== 0 && (s.cr0.lo & CR0_PE) !== 0 && (s.cr4.lo & CR4_PAE) !== 0
    && (s.efer.lo & EFER_LME) !== 0 && (s.cr4.lo & CR4_LA57) === 0;
  if (!modeOk) {
    const explanation = 'the registers do not select 4-level paging (CR0.PG, CR0.PE, CR4.PAE and EFER.LME must be 1, CR4.LA57 0)';
    add('HANDOFF.MODE.FOUR_LEVEL', 'fault', explanation, '$.regs');
    return { violations, prediction: { outcome: 'invalid', explanation } };
  }
  const pml4 = pml4Of(s);
  if (pml4 === undefined) {
    const cause = `CR3 ${toHex(s.cr3)} has bits at or above the ${s.cpu.maxPhyAddr}-bit physical address width, so \`mov cr3\` raises #GP(0)`;
    add('HANDOFF.CR3.VALID', 'fault', cause, STATE_PATHS.cr3);
    const ps = pagingStateOf(s, s.firmwareCr3 ?? s.cr3);
    const prediction: Prediction = s.firmwareCr3 === undefined
      ? { outcome: 'triple-fault', stage: 'mov-cr3', vector: 13, explanation: `${cause}; the result depends on the firmware's IDT, which the state does not describe` }
      : afterFault(ps, s, 'mov-cr3', 13, cause);
    return { violations, prediction };
  }
  const ps = pagingStateOf(s);
  const problems = validateState(ps.cpu, ps.regs).filter((p) => !p.unsupported);
  if (problems.length > 0) {
    const explanation = `the processor cannot be in this state: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`;
    add('HANDOFF.MODE.FOUR_LEVEL', 'fault', explanation, '$.regs');
    return { violations, prediction: { outcome: 'invalid', explanation } };
  }

  let prediction: Prediction = { outcome: 'runs' };
  const pagesByStage = new Map<Stage, readonly { va: VirtAddr; pa: number }[]>();
  for (const step of stepsOf(s)) {
    const r = probe(ps, step.range.va, step.range.length, step.kind, step.implicit);
    if (!r.ok) {
      const clause = fetchClause(step, r.fault);
      const why = describeFault(r.fault, s.cpu.maxPhyAddr);
      const cause = `${step.what} faults at ${toHex(r.va)} because ${why}: ${faultName(r.fault)}`;
      add(clause, 'fault', `${cause}.`, step.path);
      prediction = afterFault(ps, s, step.stage, r.fault.vector, cause, r.va);
      break;
    }
    pagesByStage.set(step.stage, r.pages);
    if (step.stage === 'after-cr3' && s.firmwareCr3 !== undefined) {
      // The code before MOV CR3 ran under the firmware's tables: the tail must be the same bytes.
      const before = probe(pagingStateOf(s, s.firmwareCr3), step.range.va, step.range.length, 'fetch');
      if (!before.ok) {
        add('HANDOFF.CR3.NEXT_FETCH_MAPPED', 'warning', `The code after \`mov cr3\` at ${toHex(before.va)} is not mapped in the firmware's tables (${describeFault(before.fault, s.cpu.maxPhyAddr)}), so it cannot be the code that ran the switch: check the trampoline's address.`, step.path);
        continue;
      }
      const moved = r.pages.find((p, i) => before.pages[i]?.pa !== p.pa);
      if (moved !== undefined) {
        const was = before.pages[r.pages.indexOf(moved)]!.pa;
        const cause = `the code after \`mov cr3\` at ${toHex(moved.va)} maps to physical ${hex(moved.pa)} in the new tables but ran from ${hex(was)} under the firmware's: execution continues in other bytes`;
        add('HANDOFF.CR3.NEXT_FETCH_MAPPED', 'fault', `${cause}.`, step.path);
        prediction = { outcome: 'exception', stage: 'after-cr3', vector: 6, explanation: `${cause}; what happens next depends on those bytes` };
        break;
      }
    }
  }

  const scan = scanTables(s.memory, pml4, s.cpu.maxPhyAddr);
  const nxe = (s.efer.lo & EFER_NXE) !== 0;
  if (prediction.outcome === 'runs') {
    const idt = deliveryProblem(ps, s.idtr, s.gdtr, 14);
    if (idt !== undefined && deliveryProblem(ps, s.idtr, s.gdtr, 8) !== undefined) {
      add('HANDOFF.IDT.USABLE', 'warning', `Until the kernel loads its own IDT, any exception triple-faults: ${idt}.`, STATE_PATHS.idtr);
    }
  } else if (prediction.outcome === 'triple-fault') {
    add('HANDOFF.FAULT.TRIPLE', 'fault', `${prediction.explanation}.`, STATE_PATHS.idtr);
  }
  violations.push(...checkLatent(s, ps, scan, nxe, pagesByStage, violations));
  return { violations, prediction };
}

/** The clause for a fault at a step: reserved-bit causes have their own; fetch steps split "mapped" and "executable". */
function fetchClause(step: Step, fault: Fault): HandoffClauseId {
  const c = clauseOfFault(fault, step.clause);
  if (c !== step.clause) return c;
  if (step.clause === 'HANDOFF.CR3.NEXT_FETCH_MAPPED' && isXdFetch(fault)) return 'HANDOFF.CR3.NEXT_FETCH_EXECUTABLE';
  return c;
}
