import { defineClauses, type ClauseIdOf } from '../clause.ts';

// The hand-off: the loader has left boot services, loads its own CR3 and jumps to the
// kernel. Each clause names one thing that must hold at that moment and cites the SDM
// (Vol. 3A) or UEFI 2.10 section that makes it so. Summaries are our own wording.
const SDM = 'SDM Vol. 3A';

export const HANDOFF_CLAUSES = defineClauses([
  { id: 'HANDOFF.MODE.FOUR_LEVEL', title: 'The new tables are 4-level tables', source: `${SDM} §4.1.1, §2.5`,
    summary: 'At the switch CR0.PG, CR0.PE, CR4.PAE and IA32_EFER.LME are 1 and CR4.LA57 is 0, so CR3 must locate a PML4 table.' },
  { id: 'HANDOFF.CR3.VALID', title: 'CR3 can be loaded', source: `${SDM} §4.5.2, Table 4-12`,
    summary: 'The new CR3 must have no bits set at or above MAXPHYADDR (MOV to CR3 faults otherwise) and must point at the loader\'s PML4 table.' },
  { id: 'HANDOFF.CR3.NEXT_FETCH_MAPPED', title: 'The instruction after MOV CR3 is mapped', source: `${SDM} §4.10.4.1, §2.5`,
    summary: 'The fetch that follows MOV to CR3 is translated with the new tables at the same linear address, so every byte of the code after the switch must be mapped there.' },
  { id: 'HANDOFF.CR3.NEXT_FETCH_EXECUTABLE', title: 'The code after MOV CR3 is executable', source: `${SDM} §4.6.2`,
    summary: 'With IA32_EFER.NXE = 1 no entry on the path to the code after the switch may have XD set.' },
  { id: 'HANDOFF.ENTRY.EXECUTABLE', title: 'The kernel entry is mapped and executable', source: `${SDM} §4.6.2`,
    summary: 'The kernel\'s entry point must be mapped in the new tables with no XD bit on its path (when NXE = 1).' },
  { id: 'HANDOFF.STACK.WRITABLE', title: 'The new stack is mapped writable', source: `${SDM} §4.6.1, §6.12.1`,
    summary: 'The bytes just below the new RSP must be mapped and writable: the first push (and any exception frame) writes there.' },
  { id: 'HANDOFF.BOOTINFO.MAPPED', title: 'The boot information is mapped', source: `${SDM} §4.6.1`,
    summary: 'The boot-information structure passed to the kernel must be mapped readable at the address the kernel receives.' },
  { id: 'HANDOFF.IDT.USABLE', title: 'Exceptions need a mapped IDT', source: `${SDM} §6.10, §6.15 (interrupt 8)`,
    summary: 'Delivering any exception reads the IDT through the new tables; if IDTR\'s range is not mapped, or too short for the vector, delivery faults, the double fault cannot be delivered either, and the processor shuts down (a triple fault; QEMU resets).' },
  { id: 'HANDOFF.GDT.MAPPED', title: 'The GDT is mapped when it is used', source: `${SDM} §3.5.1, §3.4.3`,
    summary: 'Loading a segment register or delivering an interrupt reads the GDT through the new tables, so when the kernel does either the GDTR range must be mapped.' },
  { id: 'HANDOFF.NXE.XD_RESERVED', title: 'XD set while NXE is off is a reserved bit', source: `${SDM} §4.5.4 (Tables 4-14 to 4-20), §4.7`,
    summary: 'With IA32_EFER.NXE = 0 bit 63 of every present entry is reserved: any translation whose path holds such an entry raises a page fault with the RSVD error bit.' },
  { id: 'HANDOFF.MAP.PHYS_WIDTH', title: 'Frames must be below MAXPHYADDR', source: `${SDM} §4.5.4`,
    summary: 'An entry whose frame address has bits at or above MAXPHYADDR has reserved bits set; translations through it fault (a direct map larger than the machine\'s physical width faults where it goes past it).' },
  { id: 'HANDOFF.MEM.NOT_FREE', title: 'Live hand-off data is not in memory the kernel will free', source: 'UEFI 2.10 §7.2 Table 7.7, §7.4.6',
    summary: 'The page tables, the stack, the kernel image and the boot information must lie in memory types the kernel keeps (typically EfiLoaderData), not in EfiBootServices*, EfiConventionalMemory or other types the kernel hands to its allocator.' },
  { id: 'HANDOFF.RUNTIME.MAPPED', title: 'Runtime regions are mapped for runtime calls', source: 'UEFI 2.10 §8.4.1, §2.3.4',
    summary: 'A kernel that calls runtime services must map every EFI_MEMORY_RUNTIME region: at its virtual address after SetVirtualAddressMap, otherwise identity-mapped.' },
  { id: 'HANDOFF.FB.MAPPED', title: 'The framebuffer is mapped writable', source: `${SDM} §4.6.1; UEFI 2.10 §12.9`,
    summary: 'A kernel that draws on the GOP framebuffer needs its whole range mapped writable at the address it will use.' },
  { id: 'HANDOFF.FAULT.TRIPLE', title: 'A fault at the switch triple-faults', source: `${SDM} §6.15 (interrupt 8), §6.10`,
    summary: 'Right after the switch the firmware\'s IDT is usually not mapped (it is in EfiBootServicesData), so the first fault cannot be delivered and escalates to a double and then a triple fault, which resets the machine.' },
] as const);

export type HandoffClauseId = ClauseIdOf<typeof HANDOFF_CLAUSES>;
