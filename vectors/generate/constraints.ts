import { RUNNER_PML4_INDEX, inVectorWindow } from '../../spec/vector-constraints.ts';
import type { PagingInputJson } from '../io/paging.ts';
import { hex } from '../io/paging.ts';
import type { WalkResult } from '../../model/paging/types.ts';
import { toNumber } from '../../model/paging/u64.ts';
import { indexesOf } from './scenario.ts';

/** Bytes the guest runner touches at the final physical address (a fetch runs up to 16 bytes). */
export const ACCESS_SPAN = 16;

/**
 * Why a paging vector cannot run in the QEMU guest runner (spec/vector-constraints.ts),
 * or an empty list. Checked for every corpus vector: every listed qword and every entry
 * the walk reads lies in a vector window; the runner's PML4 slot is neither used nor
 * listed; a successful access touches window bytes inside one page; a fetch does not
 * execute listed qwords; a write does not land on a listed qword.
 */
export function runnerConstraintProblems(input: PagingInputJson, result: WalkResult): string[] {
  const problems: string[] = [];
  const listed = input.memory.map((q) => toNumber(hex(q.pa)));
  for (const pa of listed) if (!inVectorWindow(pa, 8)) problems.push(`qword 0x${pa.toString(16)} lies outside the vector windows`);
  const pml4 = toNumber(hex(input.regs.cr3)) - (toNumber(hex(input.regs.cr3)) % 4096);
  if (listed.includes(pml4 + RUNNER_PML4_INDEX * 8)) problems.push(`the runner's PML4 slot ${RUNNER_PML4_INDEX} is listed`);
  for (const step of result.trace) {
    if (!inVectorWindow(step.entryPa, 8)) problems.push(`the walk reads 0x${step.entryPa.toString(16)}, outside the vector windows`);
  }
  const va = hex(input.access.va);
  if (result.trace.length > 0 && indexesOf(va)[4] === RUNNER_PML4_INDEX) problems.push(`the access uses the runner's PML4 slot ${RUNNER_PML4_INDEX}`);
  if (result.outcome === 'ok') {
    const pa = result.pa;
    if (!inVectorWindow(pa, ACCESS_SPAN)) problems.push(`the access touches 0x${pa.toString(16)}+${ACCESS_SPAN}, outside the vector windows`);
    if ((pa % 4096) + ACCESS_SPAN > 4096) problems.push('the access crosses a page boundary');
    const span = input.access.kind === 'write' ? 8 : input.access.kind === 'fetch' ? ACCESS_SPAN : 0;
    for (const q of listed) {
      if (q + 8 > pa && q < pa + span) problems.push(`the ${input.access.kind} at 0x${pa.toString(16)} overlaps listed qword 0x${q.toString(16)}`);
    }
  }
  return problems;
}

