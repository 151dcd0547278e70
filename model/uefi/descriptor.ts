/**
 * EFI_MEMORY_DESCRIPTOR (UEFI 2.10 §7.2.3) and its byte form. The structure is 40 bytes
 * but the firmware reports the stride (DescriptorSize) it really uses — 48 on OVMF — so
 * every reader and writer here takes the stride as a parameter (UEFI.MMAP.DESCRIPTOR_SIZE).
 */
import { u64, toHex, type U64 } from '../paging/u64.ts';
import { memoryTypeName, type MemoryType } from './memory-type.ts';

/** One descriptor. Page counts and physical addresses fit in JS numbers (below 2^52). */
export interface MemoryDescriptor {
  readonly type: MemoryType;
  /** 4 KiB-aligned physical start (UEFI.MMAP.PAGES). */
  readonly physicalStart: number;
  /** Virtual start; meaningful in the map given to SetVirtualAddressMap. */
  readonly virtualStart: U64;
  /** Number of 4 KiB pages (UEFI.MMAP.PAGES). */
  readonly numberOfPages: number;
  readonly attribute: U64;
}

export const EFI_PAGE_SIZE = 4096;
/** sizeof(EFI_MEMORY_DESCRIPTOR) on x64: u32 type, 4 bytes padding, four u64 fields. */
export const DESCRIPTOR_STRUCT_SIZE = 40;
export const EFI_MEMORY_DESCRIPTOR_VERSION = 1;

/** Attribute bits (UEFI 2.10 §7.2.3). EFI_MEMORY_RUNTIME is bit 63. */
export const EFI_MEMORY_UC = u64(0, 0x1);
export const EFI_MEMORY_WC = u64(0, 0x2);
export const EFI_MEMORY_WT = u64(0, 0x4);
export const EFI_MEMORY_WB = u64(0, 0x8);
export const EFI_MEMORY_XP = u64(0, 0x4000);
export const EFI_MEMORY_RO = u64(0, 0x20000);
export const EFI_MEMORY_RUNTIME = u64(0x8000_0000, 0);

export function isRuntime(d: MemoryDescriptor): boolean {
  return (d.attribute.hi & 0x8000_0000) !== 0;
}

/** The first byte after the descriptor's range. */
export function endOf(d: MemoryDescriptor): number {
  return d.physicalStart + d.numberOfPages * EFI_PAGE_SIZE;
}

export function descriptor(type: MemoryType, physicalStart: number, numberOfPages: number, attribute: U64 = EFI_MEMORY_WB): MemoryDescriptor {
  return { type, physicalStart, numberOfPages, attribute, virtualStart: u64(0, 0) };
}

/** One line per descriptor, for messages and the CLI. */
export function describeDescriptor(d: MemoryDescriptor): string {
  const end = endOf(d) - 1;
  return `${memoryTypeName(d.type)} 0x${d.physicalStart.toString(16)}-0x${end.toString(16)} (${d.numberOfPages} pages, attr ${toHex(d.attribute)})`;
}

/** Checks a stride: at least the structure's size and a multiple of 8 (UEFI.MMAP.DESCRIPTOR_SIZE). */
export function isValidDescriptorSize(size: number): boolean {
  return Number.isInteger(size) && size >= DESCRIPTOR_STRUCT_SIZE && size % 8 === 0;
}

/** Writes `map` as the firmware would: descriptor i at byte i × descriptorSize, padding zeroed. */
export function encodeMap(map: readonly MemoryDescriptor[], descriptorSize: number): Uint8Array {
  if (!isValidDescriptorSize(descriptorSize)) throw new RangeError(`invalid DescriptorSize ${descriptorSize}`);
  const bytes = new Uint8Array(map.length * descriptorSize);
  const view = new DataView(bytes.buffer);
  map.forEach((d, i) => {
    const o = i * descriptorSize;
    view.setUint32(o, d.type >>> 0, true);
    setU64(view, o + 8, u64(Math.floor(d.physicalStart / 2 ** 32), d.physicalStart % 2 ** 32));
    setU64(view, o + 16, d.virtualStart);
    setU64(view, o + 24, u64(Math.floor(d.numberOfPages / 2 ** 32), d.numberOfPages % 2 ** 32));
    setU64(view, o + 32, d.attribute);
  });
  return bytes;
}

/** Why a byte buffer is not a memory map. `offset` is the byte offset of the problem. */
export interface DecodeProblem {
  readonly offset: number;
  readonly message: string;
}

export type DecodeResult =
  | { readonly ok: true; readonly map: MemoryDescriptor[] }
  | { readonly ok: false; readonly problem: DecodeProblem };

/**
 * Reads `mapSize` bytes of `bytes` as descriptors `descriptorSize` apart. Reading with
 * the structure size instead of the reported DescriptorSize is the classic bug this
 * parameter exists to prevent (UEFI.MMAP.DESCRIPTOR_SIZE).
 */
export function decodeMap(bytes: Uint8Array, mapSize: number, descriptorSize: number): DecodeResult {
  if (!isValidDescriptorSize(descriptorSize)) {
    return { ok: false, problem: { offset: 0, message: `DescriptorSize ${descriptorSize} is not a multiple of 8 of at least ${DESCRIPTOR_STRUCT_SIZE}` } };
  }
  if (mapSize > bytes.length) {
    return { ok: false, problem: { offset: bytes.length, message: `MemoryMapSize ${mapSize} exceeds the ${bytes.length} bytes given` } };
  }
  if (mapSize % descriptorSize !== 0) {
    return { ok: false, problem: { offset: mapSize - (mapSize % descriptorSize), message: `MemoryMapSize ${mapSize} is not a multiple of DescriptorSize ${descriptorSize}` } };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const map: MemoryDescriptor[] = [];
  for (let o = 0; o < mapSize; o += descriptorSize) {
    const start = getU64(view, o + 8);
    const pages = getU64(view, o + 24);
    if (start.hi >= 0x10_0000 || pages.hi >= 0x10_0000) {
      return { ok: false, problem: { offset: o, message: `descriptor at byte ${o} has a PhysicalStart or NumberOfPages beyond 2^52` } };
    }
    map.push({
      type: view.getUint32(o, true),
      physicalStart: start.hi * 2 ** 32 + start.lo,
      virtualStart: getU64(view, o + 16),
      numberOfPages: pages.hi * 2 ** 32 + pages.lo,
      attribute: getU64(view, o + 32),
    });
  }
  return { ok: true, map };
}

function setU64(view: DataView, offset: number, v: U64): void {
  view.setUint32(offset, v.lo, true);
  view.setUint32(offset + 4, v.hi, true);
}

function getU64(view: DataView, offset: number): U64 {
  return u64(view.getUint32(offset + 4, true), view.getUint32(offset, true));
}
