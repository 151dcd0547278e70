/**
 * Memory maps to start a firmware from: a small one for hand-computed tests and one
 * shaped like OVMF's on a 256 MiB q35 machine (same kinds of ranges in the same places;
 * the exact sizes vary with every OVMF build, so nothing depends on them).
 */
import { descriptor, EFI_MEMORY_RUNTIME, EFI_MEMORY_UC, EFI_MEMORY_WB, type MemoryDescriptor } from './descriptor.ts';
import { or } from '../paging/u64.ts';
import {
  EfiACPIMemoryNVS, EfiACPIReclaimMemory, EfiBootServicesCode, EfiBootServicesData, EfiConventionalMemory,
  EfiLoaderCode, EfiMemoryMappedIO, EfiReservedMemoryType, EfiRuntimeServicesCode, EfiRuntimeServicesData,
} from './memory-type.ts';

const RT = or(EFI_MEMORY_WB, EFI_MEMORY_RUNTIME);
const MB = 0x10_0000;

/** 1 MiB conventional at 1 MiB, one runtime-code page and one runtime-data page, a reserved page. */
export function smallMap(): MemoryDescriptor[] {
  return [
    descriptor(EfiBootServicesData, 0, 1),
    descriptor(EfiConventionalMemory, 0x1000, 0x9e),
    descriptor(EfiConventionalMemory, MB, 0x100),
    descriptor(EfiRuntimeServicesCode, 2 * MB, 1, RT),
    descriptor(EfiRuntimeServicesData, 2 * MB + 0x1000, 1, RT),
    descriptor(EfiReservedMemoryType, 2 * MB + 0x2000, 1),
  ];
}

/** A map shaped like OVMF 2022.11's on `-machine q35 -m 256M`. */
export function ovmfLikeMap(): MemoryDescriptor[] {
  return [
    descriptor(EfiBootServicesCode, 0, 1),
    descriptor(EfiConventionalMemory, 0x1000, 0x9f),
    descriptor(EfiConventionalMemory, MB, 0x700),
    descriptor(EfiACPIMemoryNVS, 8 * MB, 8),
    descriptor(EfiConventionalMemory, 8 * MB + 0x8000, 3),
    descriptor(EfiACPIMemoryNVS, 8 * MB + 0xb000, 1),
    descriptor(EfiConventionalMemory, 8 * MB + 0xc000, 5),
    descriptor(EfiACPIMemoryNVS, 8 * MB + 0x11000, 0xef),
    descriptor(EfiBootServicesData, 9 * MB, 0x100),
    descriptor(EfiConventionalMemory, 10 * MB, 0xd000 - 0xa00),
    descriptor(EfiLoaderCode, 0xd000 * 0x1000, 0x20),
    descriptor(EfiBootServicesData, 0xd020 * 0x1000, 0x600),
    descriptor(EfiBootServicesCode, 0xd620 * 0x1000, 0x180),
    descriptor(EfiRuntimeServicesData, 0xd7a0 * 0x1000, 0x40, RT),
    descriptor(EfiRuntimeServicesCode, 0xd7e0 * 0x1000, 0x20, RT),
    descriptor(EfiBootServicesData, 0xd800 * 0x1000, 0x7c0),
    descriptor(EfiACPIReclaimMemory, 0xdfc0 * 0x1000, 0x8),
    descriptor(EfiACPIMemoryNVS, 0xdfc8 * 0x1000, 0x4),
    descriptor(EfiBootServicesData, 0xdfcc * 0x1000, 0x34),
    descriptor(EfiRuntimeServicesData, 0xe000 * 0x1000, 0x1000 - 0x10, RT),
    descriptor(EfiReservedMemoryType, 0xeff0 * 0x1000, 0x10),
    descriptor(EfiMemoryMappedIO, 0xb000_0000, 0x1_0000, or(EFI_MEMORY_UC, EFI_MEMORY_RUNTIME)),
    descriptor(EfiMemoryMappedIO, 0xffc0_0000, 0x400, or(EFI_MEMORY_UC, EFI_MEMORY_RUNTIME)),
  ];
}
