/**
 * The loader's state at the hand-off: everything the checker needs to decide whether the
 * switch to the new page tables and the jump to the kernel can work. Built from JSON by
 * `parse.ts` (the `x64spec handoff check` input) or directly by tests and the scenarios.
 */
import type { VirtAddr } from '../paging/addr.ts';
import type { PhysMemory } from '../paging/memory.ts';
import type { CpuModel } from '../paging/types.ts';
import type { U64 } from '../paging/u64.ts';
import type { MemoryDescriptor, Reuse } from '../uefi/index.ts';

/** A range of linear addresses [va, va + length). */
export interface VirtRange {
  readonly va: VirtAddr;
  readonly length: number;
}

/** GDTR or IDTR: base and limit (the last valid byte offset). */
export interface TableRegister {
  readonly base: VirtAddr;
  readonly limit: number;
}

export interface HandoffState {
  readonly cpu: CpuModel;
  /** Control registers in force right after the switch (CR3 is the new one). */
  readonly cr0: U64;
  readonly cr3: U64;
  readonly cr4: U64;
  readonly efer: U64;
  /** Physical memory holding the new (and, if given, the firmware's) page tables. */
  readonly memory: PhysMemory;
  /** The code that runs after MOV CR3, at the same linear address (the trampoline's tail). */
  readonly switchCode: VirtRange;
  /** The new RSP and how many bytes below it are written first (a push: 8). */
  readonly stack: { readonly rsp: VirtAddr; readonly bytes: number };
  /** The kernel entry point and how many bytes of code the checker should see executable there. */
  readonly entry: VirtRange;
  /** The boot information the kernel reads first. */
  readonly bootInfo?: VirtRange;
  /** GDTR; `used` when the kernel reloads segment registers or takes interrupts. */
  readonly gdtr?: TableRegister & { readonly used: boolean };
  /** IDTR in force at the switch (base 0, limit 0 when the loader loaded none). */
  readonly idtr: TableRegister;
  /** The final memory map (after ExitBootServices) and what the kernel will treat as free. */
  readonly memoryMap?: readonly MemoryDescriptor[];
  readonly kernelReclaims: readonly Reuse[];
  /** Whether the kernel will call runtime services, and whether SetVirtualAddressMap gave them virtual addresses. */
  readonly runtimeServices?: { readonly calls: boolean; readonly virtualAddressMap: boolean };
  /** The GOP framebuffer the kernel draws on: mapped at `va` onto `pa`. */
  readonly framebuffer?: { readonly va: VirtAddr; readonly pa: number; readonly size: number };
  /** The firmware's CR3 (its tables in `memory`): the switch code must map to the same frames under both. */
  readonly firmwareCr3?: U64;
}

/** The JSON key of each state field, for messages that point at the input. */
export const STATE_PATHS = {
  switchCode: '$.switch',
  stack: '$.stack',
  entry: '$.entry',
  bootInfo: '$.bootInfo',
  gdtr: '$.gdtr',
  idtr: '$.idtr',
  cr3: '$.regs.cr3',
  memoryMap: '$.memoryMap',
  runtime: '$.runtimeServices',
  framebuffer: '$.framebuffer',
} as const;
