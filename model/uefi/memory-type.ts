/**
 * EFI_MEMORY_TYPE values (UEFI 2.10 §7.2.1) and what each one means for an OS after
 * ExitBootServices (Table 7.7). One home for the reuse rules: the hand-off checker, the
 * normaliser and the properties all ask `reuseAfterExit`.
 */
import type { UefiClauseId } from '../../spec/clauses/uefi.ts';

export const MEMORY_TYPES = [
  'EfiReservedMemoryType', 'EfiLoaderCode', 'EfiLoaderData', 'EfiBootServicesCode', 'EfiBootServicesData',
  'EfiRuntimeServicesCode', 'EfiRuntimeServicesData', 'EfiConventionalMemory', 'EfiUnusableMemory',
  'EfiACPIReclaimMemory', 'EfiACPIMemoryNVS', 'EfiMemoryMappedIO', 'EfiMemoryMappedIOPortSpace', 'EfiPalCode',
  'EfiPersistentMemory', 'EfiUnacceptedMemoryType',
] as const;

/** A memory type: its number in the map (0–15 are the specification's types). */
export type MemoryType = number;
export type MemoryTypeName = (typeof MEMORY_TYPES)[number];

export const EfiReservedMemoryType = 0;
export const EfiLoaderCode = 1;
export const EfiLoaderData = 2;
export const EfiBootServicesCode = 3;
export const EfiBootServicesData = 4;
export const EfiRuntimeServicesCode = 5;
export const EfiRuntimeServicesData = 6;
export const EfiConventionalMemory = 7;
export const EfiUnusableMemory = 8;
export const EfiACPIReclaimMemory = 9;
export const EfiACPIMemoryNVS = 10;
export const EfiMemoryMappedIO = 11;
export const EfiMemoryMappedIOPortSpace = 12;
export const EfiPalCode = 13;
export const EfiPersistentMemory = 14;
export const EfiUnacceptedMemoryType = 15;
/** EfiMaxMemoryType: the first number that is neither a defined type nor OEM/OS-reserved. */
export const EfiMaxMemoryType = 16;

/** The type's name, or `OEM 0x…` / `OS 0x…` / `invalid 0x…` for numbers outside 0–15. */
export function memoryTypeName(type: MemoryType): string {
  const name = MEMORY_TYPES[type];
  if (name !== undefined) return name;
  if (type >= 0x7000_0000 && type <= 0x7fff_ffff) return `OEM 0x${type.toString(16)}`;
  if (type >= 0x8000_0000 && type <= 0xffff_ffff) return `OS 0x${type.toString(16)}`;
  return `invalid 0x${type.toString(16)}`;
}

/** Parses a type given as its name or its number. */
export function parseMemoryType(text: string | number): MemoryType | undefined {
  if (typeof text === 'number') return Number.isInteger(text) && text >= 0 && text <= 0xffff_ffff ? text : undefined;
  const i = (MEMORY_TYPES as readonly string[]).indexOf(text);
  if (i >= 0) return i;
  if (/^(0x[0-9a-f]+|[0-9]+)$/i.test(text)) return parseMemoryType(Number(text));
  return undefined;
}

/**
 * AllocatePages/AllocatePool accept the specification's allocatable types and the
 * OEM (0x70000000–0x7fffffff) and OS (0x80000000–0xffffffff) ranges, but not
 * EfiConventionalMemory, EfiPersistentMemory, EfiUnacceptedMemoryType or the gap
 * up to 0x6fffffff (UEFI.ALLOC.PAGES).
 */
export function isAllocatableType(type: MemoryType): boolean {
  if (type >= 0x7000_0000 && type <= 0xffff_ffff) return true;
  return type < EfiMaxMemoryType && type !== EfiConventionalMemory && type !== EfiPersistentMemory
    && type !== EfiUnacceptedMemoryType;
}

/** What an OS may do with a range of this type once boot services are gone. */
export type Reuse =
  /** Free memory: the kernel's allocator may take it. */
  | 'free'
  /** Free once the loader/kernel is done with what the loader put there. */
  | 'free-when-done'
  /** Free once the ACPI tables in it have been consumed. */
  | 'free-after-acpi'
  /** Must be preserved (runtime services, ACPI NVS, reserved, MMIO, …). */
  | 'keep';

export interface ReuseRule {
  readonly reuse: Reuse;
  readonly clause: UefiClauseId;
}

/** Table 7.7 of UEFI 2.10 (§7.2) in rule form. OEM/OS-defined types are kept: only their owner knows them. */
export function reuseAfterExit(type: MemoryType): ReuseRule {
  switch (type) {
    case EfiConventionalMemory:
    case EfiBootServicesCode:
    case EfiBootServicesData:
      return { reuse: 'free', clause: 'UEFI.REUSE.FREE_AFTER_EXIT' };
    case EfiLoaderCode:
    case EfiLoaderData:
      return { reuse: 'free-when-done', clause: 'UEFI.REUSE.FREE_AFTER_EXIT' };
    case EfiACPIReclaimMemory:
      return { reuse: 'free-after-acpi', clause: 'UEFI.REUSE.ACPI_RECLAIM' };
    case EfiRuntimeServicesCode:
    case EfiRuntimeServicesData:
      return { reuse: 'keep', clause: 'UEFI.REUSE.KEEP_RUNTIME' };
    case EfiACPIMemoryNVS:
      return { reuse: 'keep', clause: 'UEFI.REUSE.KEEP_ACPI_NVS' };
    default:
      return { reuse: 'keep', clause: 'UEFI.REUSE.KEEP_RESERVED' };
  }
}
