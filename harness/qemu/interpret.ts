/**
 * Reads what the runner recorded for one case as a paging output (DESIGN.md
 * x64spec-impl/1): `ok` with the physical address the MMU chose, or the fault with its
 * vector, error code and CR2, plus the final value of every listed qword.
 */
import type { JsonObject } from '../types.ts';
import { toBigInt, toHex } from '../../model/paging/u64.ts';
import { PROBE_OK, type GuestCase, type RawResult } from './batch.ts';

export type Interpretation = { readonly output: JsonObject } | { readonly error: string };

const hex = (v: bigint | number): string => '0x' + v.toString(16);

const EXCEPTION_NAMES: Record<number, string> = {
  0: '#DE', 1: '#DB', 3: '#BP', 6: '#UD', 8: '#DF', 11: '#NP', 12: '#SS', 13: '#GP', 14: '#PF', 17: '#AC',
};

function name(v: number): string {
  return EXCEPTION_NAMES[v] ?? `exception ${v}`;
}

/** Whether the record says the access completed. */
function completed(c: GuestCase, r: RawResult): boolean {
  if (r.where === 1) return true; // reached the ud2 after the access instruction
  if (r.where === 2 && c.kind === 'fetch' && r.vector === 6) return true; // the fetched byte trapped
  // An implicit read fetched the descriptor, which the selector load then rejected.
  return c.implicit && r.where === 0 && (r.vector === 11 || r.vector === 13) && r.errorCode !== 0n;
}

/**
 * The physical address of a completed access: the probe qword names the 4 KiB page
 * when it is a runner tag; when the page holds one of the vector's own qwords, the
 * qword with the same page offset and the same final value names it.
 */
function physicalAddress(c: GuestCase, r: RawResult): bigint | string {
  const va = toBigInt(c.va);
  const offset = va & 0xfffn;
  if (r.probeStatus !== PROBE_OK) {
    return `the access completed but reading it back took ${name(r.probeStatus)} (CR2 ${hex(r.probe)})`;
  }
  if (r.page !== undefined) return (BigInt(r.page) << 12n) | offset;
  const matches = c.memory
    .map((q, i) => ({ pa: q.pa, final: r.memory[i]! }))
    .filter((q) => BigInt(q.pa & 0xff8) === (offset & 0xff8n) && toBigInt(q.final) === r.probe);
  if (matches.length === 1 && c.kind !== 'write') return BigInt(matches[0]!.pa) | (va & 7n);
  return `the access completed but its physical page cannot be identified (read back ${hex(r.probe)}, no runner tag and ${matches.length} matching listed qwords)`;
}

/** The paging output for a case's record, or why the record makes no sense. */
export function interpret(c: GuestCase, r: RawResult): Interpretation {
  const memory = r.memory.map(toHex);
  if (r.where === 3) {
    return { error: `the runner took ${name(r.vector)} (error code ${hex(r.errorCode)}) at RIP ${hex(r.rip)}, outside the access` };
  }
  if (completed(c, r)) {
    const pa = physicalAddress(c, r);
    if (typeof pa === 'string') return { error: pa };
    return { output: { outcome: 'ok', pa: hex(pa), memory } };
  }
  if (r.vector === 14) {
    return { output: { outcome: 'fault', vector: 14, errorCode: hex(r.errorCode), cr2: hex(r.cr2), memory } };
  }
  if (r.vector === 6) {
    return { error: `${name(r.vector)} at RIP ${hex(r.rip)}: the ${c.kind} did not reach the runner's stub` };
  }
  return { output: { outcome: 'fault', vector: r.vector, errorCode: hex(r.errorCode), memory } };
}
