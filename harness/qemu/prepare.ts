/**
 * Turns a paging vector into a case the guest runner can perform, or says why it
 * cannot. The runner never guesses: a combination it has no faithful way to perform is
 * `unsupported` with the reason.
 */
import { RUNNER_PML4_INDEX, inVectorWindow } from '../../spec/vector-constraints.ts';
import { CR0_WP, CR4_PKE, CR4_SMAP, CR4_SMEP, EFER_NXE, RFLAGS_AC } from '../../model/paging/regs.ts';
import type { Cpl } from '../../model/paging/types.ts';
import { parseHex, toBigInt } from '../../model/paging/u64.ts';
import { asPagingInput, pagingInputProblems, type PagingInputJson } from '../../vectors/io/paging.ts';
import type { Vector } from '../types.ts';
import type { GuestCase } from './batch.ts';
import type { QemuProfile } from './cpu.ts';

export interface PreparedCase {
  readonly guest: GuestCase;
  readonly profile: QemuProfile;
}

export type Preparation =
  | { readonly ok: true; readonly prepared: PreparedCase }
  | { readonly ok: false; readonly unsupported: string }
  | { readonly ok: false; readonly error: string };

const unsupported = (reason: string): Preparation => ({ ok: false, unsupported: reason });
const malformed = (reason: string): Preparation => ({ ok: false, error: `malformed paging input: ${reason}` });

function big(text: unknown, what: string): bigint | string {
  if (typeof text !== 'string') return `${what} is not a string`;
  const v = parseHex(text);
  return v === undefined ? `${what} is not a 0x… value: ${JSON.stringify(text)}` : toBigInt(v);
}

const MASK64 = (1n << 64n) - 1n;

function isCanonical48(va: bigint): boolean {
  const top = va >> 47n;
  return top === 0n || top === (1n << 17n) - 1n;
}

/** The guest case for `vector`, or why there is none. */
export function prepare(vector: Vector): Preparation {
  if (vector.suite !== 'paging') return unsupported(`the QEMU runner performs paging vectors only, not '${vector.suite}'`);
  let input: PagingInputJson;
  try {
    input = asPagingInput(vector.input);
    const problems = pagingInputProblems(input);
    if (problems.length > 0) {
      const p = problems[0]!;
      return unsupported(`the state cannot be loaded into a processor: ${p.path}: ${p.message}`);
    }
  } catch (err) {
    return malformed(err instanceof Error ? err.message : String(err));
  }
  const fields = {
    cr0: big(input.regs.cr0, 'regs.cr0'), cr3: big(input.regs.cr3, 'regs.cr3'), cr4: big(input.regs.cr4, 'regs.cr4'),
    efer: big(input.regs.efer, 'regs.efer'), rflags: big(input.regs.rflags, 'regs.rflags'),
    pkru: big(input.regs.pkru, 'regs.pkru'), va: big(input.access.va, 'access.va'),
  };
  for (const v of Object.values(fields)) if (typeof v === 'string') return malformed(v);
  const { cr0, cr3, cr4, efer, rflags, pkru, va } = fields as Record<keyof typeof fields, bigint>;
  const maxphyaddr = input.cpu.maxphyaddr;
  const cpl = input.regs.cpl as Cpl;
  const { kind, implicit } = input.access;

  if (implicit && kind !== 'read') {
    return unsupported(`an implicit supervisor-mode ${kind} has no faithful trigger in the runner (it performs implicit accesses as descriptor-table reads only)`);
  }
  if (implicit && !isCanonical48(va)) {
    return unsupported('an implicit access at a non-canonical address: a descriptor table cannot be based there (LLDT itself faults)');
  }
  if (implicit && (va & 0xfffn) > 0xff8n) {
    return unsupported('the 8-byte descriptor read at this address would cross into the next page (two translations)');
  }
  if (isCanonical48(va) && Number((va >> 39n) & 0x1ffn) === RUNNER_PML4_INDEX) {
    return unsupported(`the address translates through PML4 slot ${RUNNER_PML4_INDEX}, which the runner keeps for itself (spec/vector-constraints.ts)`);
  }

  const addrMask = ((1n << BigInt(maxphyaddr)) - 1n) & ~0xfffn;
  const slotPa = Number((cr3 & addrMask) + BigInt(RUNNER_PML4_INDEX * 8));
  if (!inVectorWindow(slotPa, 8)) {
    return unsupported(`the PML4 table (CR3 ${input.regs.cr3}) lies outside the runner's vector windows (spec/vector-constraints.ts)`);
  }
  const memory: { pa: number; value: bigint }[] = [];
  for (const [i, q] of input.memory.entries()) {
    const pa = big(q.pa, `memory[${i}].pa`);
    const value = big(q.value, `memory[${i}].value`);
    if (typeof pa === 'string') return malformed(pa);
    if (typeof value === 'string') return malformed(value);
    const n = Number(pa);
    if (!inVectorWindow(n, 8)) return unsupported(`memory[${i}] at ${q.pa} lies outside the runner's vector windows (spec/vector-constraints.ts)`);
    if (n === slotPa) return unsupported(`memory[${i}] is PML4 slot ${RUNNER_PML4_INDEX}, which the runner keeps for itself`);
    memory.push({ pa: n, value: value & MASK64 });
  }
  const guest: GuestCase = {
    kind, implicit, cpl,
    wp: (cr0 & BigInt(CR0_WP)) !== 0n,
    smep: (cr4 & BigInt(CR4_SMEP)) !== 0n,
    smap: (cr4 & BigInt(CR4_SMAP)) !== 0n,
    pke: (cr4 & BigInt(CR4_PKE)) !== 0n,
    nxe: (efer & BigInt(EFER_NXE)) !== 0n,
    ac: (rflags & BigInt(RFLAGS_AC)) !== 0n,
    pkru: Number(pkru & 0xffff_ffffn),
    cr3, va, slotPa, memory,
  };
  return { ok: true, prepared: { guest, profile: { maxphyaddr, pdpe1gb: input.cpu.features.includes('pdpe1gb') } } };
}
