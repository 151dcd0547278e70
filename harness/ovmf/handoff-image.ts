/**
 * \x64spec\handoff.bin: what the test application needs to perform a hand-off the model
 * built — the loader region to allocate, the registers, and the region's non-zero pages
 * (page tables, boot information). Layout (little-endian u64 fields) matches
 * `struct hoff_header` in app/x64spec.c, followed by chunks of (pa, length, bytes).
 */
import { low48 } from '../../model/paging/addr.ts';
import type { PhysAddr } from '../../model/paging/addr.ts';
import type { U64 } from '../../model/paging/u64.ts';
import { REGION_BYTES, type BuiltHandoff } from '../../model/handoff/loader.ts';

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

/** Encodes a built hand-off for the application. */
export function encodeHandoff(built: BuiltHandoff): Uint8Array {
  const { state, plan } = built;
  const base = plan.regionBase;
  const frames = state.memory.framesInUse().map((pfn) => pfn * 4096).filter((pa) => pa >= base && pa < base + REGION_BYTES);
  const outside = state.memory.framesInUse().map((pfn) => pfn * 4096).filter((pa) => pa < base || pa >= base + REGION_BYTES);
  if (outside.length > 0) throw new Error(`the hand-off writes memory outside its region: 0x${outside[0]!.toString(16)}`);
  const parts: Buffer[] = [
    Buffer.from('X64HOFF1', 'latin1'),
    num(base), num(REGION_BYTES / 4096),
    u64le(state.cr3), u64le(state.stack.rsp), u64le(state.entry.va), u64le(built.bootInfoVa), u64le(state.efer),
    num(low48(state.idtr.base)), num(state.idtr.limit),
    num(built.trampolinePa), num(built.kernelPa), num(frames.length),
  ];
  for (const pa of frames) {
    parts.push(num(pa), num(4096), Buffer.from(state.memory.readBytes(pa as PhysAddr, 4096)));
  }
  return new Uint8Array(Buffer.concat(parts));
}
