/** QEMU's paging output in the model's terms, for judging (model/paging/expectation.ts). */
import { physAddr, virtAddr } from '../../model/paging/addr.ts';
import type { ObservedOutcome } from '../../model/paging/expectation.ts';
import { parseHex, type U64 } from '../../model/paging/u64.ts';
import type { JsonObject } from '../types.ts';

function u64OrThrow(text: unknown, what: string): U64 {
  const v = typeof text === 'string' ? parseHex(text) : undefined;
  if (v === undefined) throw new Error(`${what} is not a 0x… value`);
  return v;
}

/** The observed outcome of a paging output (as interpret.ts writes it). */
export function observedFromOutput(output: JsonObject): ObservedOutcome {
  const memory = (output.memory as string[]).map((m, i) => u64OrThrow(m, `memory[${i}]`));
  if (output.outcome === 'ok') return { outcome: 'ok', pa: physAddr(Number(BigInt(output.pa as string))), memory };
  const fault: { outcome: 'fault'; vector: number; errorCode?: number; cr2?: U64; memory: U64[] } = {
    outcome: 'fault', vector: output.vector as number, memory,
  };
  if (typeof output.errorCode === 'string') fault.errorCode = u64OrThrow(output.errorCode, 'errorCode').lo;
  if (typeof output.cr2 === 'string') fault.cr2 = virtAddr(u64OrThrow(output.cr2, 'cr2'));
  return fault;
}
