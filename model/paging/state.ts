import type { PagingClauseId } from '../../spec/clauses/paging.ts';
import { rsvdAddrMaskHi } from './entry.ts';
import {
  CR0_PE, CR0_PG, CR4_LA57, CR4_PAE, CR4_PCIDE, CR4_PKE, CR4_PKS, CR4_SMAP, CR4_SMEP, EFER_LME, EFER_NXE,
} from './regs.ts';
import type { Access, CpuModel, Feature, Registers } from './types.ts';

/**
 * A reason a state or access cannot be translated by the model: either the processor
 * could never be in it (the registers could not have been loaded), or it is outside
 * what x64spec models. `path` names the offending field as in the vector format.
 */
export interface StateProblem {
  readonly path: string;
  readonly message: string;
  /** The clause that makes the state impossible, when it is a rule of the SDM. */
  readonly clause?: PagingClauseId;
  /** true: the SDM allows it, x64spec does not model it; false: the processor cannot be in it. */
  readonly unsupported: boolean;
}

const FEATURE_BITS: readonly (readonly [string, 'cr4' | 'efer', number, Feature])[] = [
  ['CR4.SMEP', 'cr4', CR4_SMEP, 'smep'],
  ['CR4.SMAP', 'cr4', CR4_SMAP, 'smap'],
  ['CR4.PKE', 'cr4', CR4_PKE, 'pku'],
  ['IA32_EFER.NXE', 'efer', EFER_NXE, 'nx'],
];

function problem(path: string, message: string, unsupported: boolean, clause?: PagingClauseId): StateProblem {
  return clause === undefined ? { path, message, unsupported } : { path, message, unsupported, clause };
}

/** Every problem with a CPU/register state, or an empty list when the model can walk it. */
export function validateState(cpu: CpuModel, regs: Registers): StateProblem[] {
  const problems: StateProblem[] = [];

  if (!Number.isInteger(cpu.maxPhyAddr) || cpu.maxPhyAddr < 32 || cpu.maxPhyAddr > 52) {
    problems.push(problem('cpu.maxphyaddr', `MAXPHYADDR must be an integer from 32 to 52, got ${cpu.maxPhyAddr}`, false, 'PG.STATE.MAXPHYADDR'));
    return problems; // the masks below depend on it
  }
  // PG.MODE.FOUR_LEVEL: only IA-32e paging with four levels is modelled.
  if (!(regs.cr0.lo & CR0_PG) || !(regs.cr0.lo & CR0_PE)) problems.push(problem('regs.cr0', 'CR0.PG and CR0.PE must be 1 (paging on)', true, 'PG.MODE.FOUR_LEVEL'));
  if (!(regs.cr4.lo & CR4_PAE)) problems.push(problem('regs.cr4', 'CR4.PAE must be 1 for 4-level paging', true, 'PG.MODE.FOUR_LEVEL'));
  if (!(regs.efer.lo & EFER_LME)) problems.push(problem('regs.efer', 'IA32_EFER.LME must be 1 for 4-level paging', true, 'PG.MODE.FOUR_LEVEL'));
  if (regs.cr4.lo & CR4_LA57) problems.push(problem('regs.cr4', 'CR4.LA57 = 1 selects 5-level paging, which is not modelled', true, 'PG.MODE.FOUR_LEVEL'));
  if (regs.cr4.lo & CR4_PCIDE) problems.push(problem('regs.cr4', 'CR4.PCIDE = 1 (PCIDs) is not modelled', true));
  if (regs.cr4.lo & CR4_PKS) problems.push(problem('regs.cr4', 'CR4.PKS = 1 (supervisor protection keys) is not modelled', true));
  for (const [name, reg, mask, feature] of FEATURE_BITS) {
    if ((regs[reg].lo & mask) !== 0 && !cpu.features.has(feature)) {
      problems.push(problem(`regs.${reg}`, `${name} is set but the CPU lacks feature '${feature}'`, false, 'PG.STATE.FEATURE_BITS'));
    }
  }
  // PG.CR3.RESERVED: bits 63:MAXPHYADDR of CR3 must be clear.
  if ((regs.cr3.hi & (0xfff0_0000 | rsvdAddrMaskHi(cpu.maxPhyAddr))) !== 0) {
    problems.push(problem('regs.cr3', `CR3 has bits set above MAXPHYADDR (${cpu.maxPhyAddr})`, false, 'PG.CR3.RESERVED'));
  }
  if (!Number.isInteger(regs.cpl) || regs.cpl < 0 || regs.cpl > 3) problems.push(problem('regs.cpl', `CPL must be 0–3, got ${regs.cpl}`, false));
  if (!Number.isInteger(regs.pkru) || regs.pkru < 0 || regs.pkru > 0xffff_ffff) problems.push(problem('regs.pkru', 'PKRU must be a 32-bit value', false));
  return problems;
}

/** Problems with an access itself (independent of the state). */
export function validateAccess(access: Access): StateProblem[] {
  if (access.implicit && access.kind === 'fetch') {
    // Implicit supervisor accesses are data accesses to system structures (PG.MODE.IMPLICIT_SUPERVISOR).
    return [{ path: 'access', message: 'an implicit access cannot be an instruction fetch', unsupported: false, clause: 'PG.MODE.IMPLICIT_SUPERVISOR' }];
  }
  return [];
}
