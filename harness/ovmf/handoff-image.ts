/**
 * \x64spec\handoff.bin: what the test application needs to perform a hand-off — the
 * loader region to allocate, the registers, and the region's non-zero pages (page
 * tables, boot information). Layout (little-endian u64 fields) matches
 * `struct hoff_header` in app/x64spec.c, followed by chunks of (pa, length, bytes).
 */
import { low48, type PhysAddr, type VirtAddr } from '../../model/paging/addr.ts';
import type { U64 } from '../../model/paging/u64.ts';
import type { HandoffState } from '../../model/handoff/state.ts';

/** Where the application puts the loader region, the trampoline and the kernel. */
export interface BootPlacement {
  readonly regionBase: number;
  readonly regionBytes: number;
  readonly trampolinePa: number;
  readonly kernelPa: number;
  /** The boot-information pointer handed to the kernel in RDI. */
  readonly bootInfoVa: VirtAddr;
}

function u64le(v: U64): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(v.lo, 0);
  b.writeUInt32LE(v.hi, 4);
  return b;
}

function num(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

/** Encodes a hand-off for the application; every non-zero page must lie in the region. */
export function encodeHandoff(state: HandoffState, place: BootPlacement): Uint8Array {
  const base = place.regionBase;
  const all = state.memory.framesInUse().map((pfn) => pfn * 4096);
  const outside = all.filter((pa) => pa < base || pa >= base + place.regionBytes);
  if (outside.length > 0) throw new Error(`the hand-off writes memory outside its region: 0x${outside[0]!.toString(16)}`);
  const parts: Buffer[] = [
    Buffer.from('X64HOFF1', 'latin1'),
    num(base), num(place.regionBytes / 4096),
    u64le(state.cr3), u64le(state.stack.rsp), u64le(state.entry.va), u64le(place.bootInfoVa), u64le(state.efer),
    num(low48(state.idtr.base)), num(state.idtr.limit),
    num(place.trampolinePa), num(place.kernelPa), num(all.length),
  ];
  for (const pa of all) parts.push(num(pa), num(4096), Buffer.from(state.memory.readBytes(pa as PhysAddr, 4096)));
  return new Uint8Array(Buffer.concat(parts));
}
