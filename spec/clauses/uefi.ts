import { defineClauses, type ClauseIdOf } from '../clause.ts';

// The UEFI exit flow as the loader sees it: the memory map, the memory services, leaving
// boot services and switching the runtime services to virtual addressing. Sections refer
// to the UEFI Specification 2.10. Every summary is our own wording of one rule.
const U = 'UEFI 2.10';

export const UEFI_CLAUSES = defineClauses([
  // ── The memory map ──────────────────────────────────────────────────────────────
  { id: 'UEFI.MMAP.DESCRIPTOR_SIZE', title: 'Walk the map by DescriptorSize', source: `${U} §7.2.3`,
    summary: 'Descriptors in a returned map are DescriptorSize bytes apart, which may be larger than the descriptor structure (OVMF: 48 vs 40); a reader that strides by the structure size misreads every descriptor after the first.' },
  { id: 'UEFI.MMAP.DESCRIPTOR_VERSION', title: 'Descriptor version', source: `${U} §7.2.3`,
    summary: 'GetMemoryMap reports the descriptor layout version, which is 1 for the layout the specification defines; a reader should check it.' },
  { id: 'UEFI.MMAP.PAGES', title: 'Descriptors count 4 KiB pages', source: `${U} §7.2.3`,
    summary: 'A descriptor covers NumberOfPages pages of 4 KiB from a 4 KiB-aligned PhysicalStart, whatever page size the platform uses elsewhere.' },
  { id: 'UEFI.MMAP.NO_OVERLAP', title: 'Descriptors do not overlap', source: `${U} §7.2.3`,
    summary: 'No two descriptors of one map describe the same physical page.' },
  { id: 'UEFI.MMAP.BUFFER_TOO_SMALL', title: 'Too small a buffer reports the needed size', source: `${U} §7.2.3`,
    summary: 'When the buffer cannot hold the whole map GetMemoryMap returns EFI_BUFFER_TOO_SMALL, writes nothing into the buffer and sets MemoryMapSize to a size that would have sufficed at that moment (an upper bound is allowed; OVMF also reports DescriptorSize).' },
  { id: 'UEFI.MMAP.ALLOCATION_GROWS_MAP', title: 'Allocating the buffer can grow the map', source: `${U} §7.2.3`,
    summary: 'Allocating the buffer for the map can itself add descriptors, so a loader asks for a few descriptors more than the size just reported.' },
  { id: 'UEFI.MMAP.INVALID_PARAMETER', title: 'GetMemoryMap parameter checks', source: `${U} §7.2.3`,
    summary: 'A missing MemoryMapSize, or a missing buffer while the given size is large enough, gives EFI_INVALID_PARAMETER.' },
  { id: 'UEFI.MMAP.KEY_CHANGES', title: 'The map key changes with the map', source: `${U} §7.2.3`,
    summary: 'Every change of the memory map (page allocations and frees, and pool operations that take or return pages) gives it a new MapKey.' },
  { id: 'UEFI.MMAP.KEY_NOT_PREDICTABLE', title: 'Callers cannot predict the key', source: `${U} §7.2.3, §7.4.6`,
    summary: 'Whether a given call changes the map depends on the firmware (pool memory may or may not need new pages), so only the key of the most recent GetMemoryMap can be trusted.' },

  // ── Memory allocation services ──────────────────────────────────────────────────
  { id: 'UEFI.ALLOC.PAGES', title: 'AllocatePages', source: `${U} §7.2.1`,
    summary: 'AllocatePages takes whole 4 KiB pages of a memory type anywhere, below a maximum address, or at an exact address; an invalid type, allocation kind or unaligned address is EFI_INVALID_PARAMETER, no room is EFI_OUT_OF_RESOURCES (EFI_NOT_FOUND is also used), an exact address that is not free is EFI_NOT_FOUND.' },
  { id: 'UEFI.ALLOC.FREE_PAGES', title: 'FreePages', source: `${U} §7.2.2`,
    summary: 'FreePages returns pages obtained from AllocatePages; pages that were not allocated that way give EFI_NOT_FOUND and an unaligned address EFI_INVALID_PARAMETER.' },
  { id: 'UEFI.ALLOC.POOL', title: 'AllocatePool and FreePool', source: `${U} §7.2.4, §7.2.5`,
    summary: 'Pool memory comes from pages of the requested type that the firmware manages; FreePool of a pointer that AllocatePool did not return is EFI_INVALID_PARAMETER.' },

  // ── ExitBootServices ────────────────────────────────────────────────────────────
  { id: 'UEFI.EBS.STALE_KEY', title: 'A stale map key is rejected', source: `${U} §7.4.6`,
    summary: 'ExitBootServices with a MapKey that is not the key of the current memory map fails with EFI_INVALID_PARAMETER; the loader must fetch the map again and retry.' },
  { id: 'UEFI.EBS.AFTER_FAILURE', title: 'What may be called after a failed exit', source: `${U} §7.4.6`,
    summary: 'After a failed ExitBootServices the loader may call only GetMemoryMap and the memory allocation services (UEFI 2.9 and later; earlier versions allowed only GetMemoryMap) before retrying.' },
  { id: 'UEFI.EBS.PARTIAL_SHUTDOWN', title: 'A failed exit may already have shut parts down', source: `${U} §7.4.6`,
    summary: 'The firmware may have signalled exit events and stopped services (EDK2 has stopped its timer) even when ExitBootServices fails, so the loader must not rely on timers, consoles or other protocols afterwards.' },
  { id: 'UEFI.EBS.EVENTS_MAY_ALLOCATE', title: 'Firmware activity can change the map at any time', source: `${U} §7.1, §7.4.6`,
    summary: 'Timer and exit-event notification functions may allocate or free memory between the loader\'s GetMemoryMap and ExitBootServices, which makes the loader\'s key stale.' },
  { id: 'UEFI.EBS.SUCCESS_ENDS_BOOT_SERVICES', title: 'After a successful exit boot services are gone', source: `${U} §7.4.6, §4.3`,
    summary: 'Once ExitBootServices succeeds no boot service may be called again (OVMF clears the boot-services table and the BootServices and console fields of the system table); only runtime services remain.' },
  { id: 'UEFI.EBS.INTERRUPTS_OFF', title: 'The OS owns interrupts after exit', source: `${U} §2.3.4, §7.4.6`,
    summary: 'After a successful exit the firmware no longer handles interrupts (OVMF returns with IF = 0); the IDT still points into firmware memory until the OS loads its own.' },
  { id: 'UEFI.EBS.RETRY', title: 'The standard retry loop', source: `${U} §7.4.6`,
    summary: 'A loader that gets a stale-key failure calls GetMemoryMap into its existing buffer (allocating nothing in between) and calls ExitBootServices again with the new key, until it succeeds.' },

  // ── SetVirtualAddressMap ────────────────────────────────────────────────────────
  { id: 'UEFI.SVAM.BEFORE_EXIT', title: 'SetVirtualAddressMap needs exit first', source: `${U} §8.4.1`,
    summary: 'SetVirtualAddressMap called while boot services are still active returns EFI_UNSUPPORTED.' },
  { id: 'UEFI.SVAM.ONCE', title: 'SetVirtualAddressMap works once', source: `${U} §8.4.1`,
    summary: 'After one SetVirtualAddressMap call has succeeded, later calls return EFI_UNSUPPORTED.' },
  { id: 'UEFI.SVAM.DESCRIPTOR_CHECK', title: 'SetVirtualAddressMap checks the descriptor layout', source: `${U} §8.4.1`,
    summary: 'A DescriptorVersion other than the firmware\'s, or a DescriptorSize smaller than the descriptor structure, gives EFI_INVALID_PARAMETER; a firmware may also refuse a size other than the one it reported (EDK2 accepts any size of at least the structure).' },
  { id: 'UEFI.SVAM.RUNTIME_NEEDS_VA', title: 'Every runtime region needs a virtual address', source: `${U} §8.4.1`,
    summary: 'The virtual map must give every EFI_MEMORY_RUNTIME region a virtual address; the specification allows EFI_NO_MAPPING when one is missing, but EDK2 returns EFI_SUCCESS and leaves that region unconverted, so the loader must not rely on the error.' },
  { id: 'UEFI.SVAM.VIRTUAL_ALIGNED', title: 'Virtual addresses keep page alignment', source: `${U} §8.4.1, §7.2.3`,
    summary: 'A VirtualStart must be 4 KiB aligned; runtime code addresses every byte of a region at VirtualStart plus its offset from PhysicalStart.' },

  // ── Which memory the OS may reuse after exit ────────────────────────────────────
  { id: 'UEFI.REUSE.FREE_AFTER_EXIT', title: 'Memory that becomes the OS\'s after exit', source: `${U} §7.2, Table 7.7`,
    summary: 'After ExitBootServices, EfiConventionalMemory, EfiBootServicesCode and EfiBootServicesData are free memory for the OS, and EfiLoaderCode/EfiLoaderData are too once the loader and OS no longer need what they hold.' },
  { id: 'UEFI.REUSE.KEEP_RUNTIME', title: 'Runtime memory stays reserved', source: `${U} §7.2, Table 7.7`,
    summary: 'EfiRuntimeServicesCode and EfiRuntimeServicesData must be preserved for the whole life of the OS and mapped wherever runtime services run.' },
  { id: 'UEFI.REUSE.ACPI_RECLAIM', title: 'ACPI reclaim memory', source: `${U} §7.2, Table 7.7`,
    summary: 'EfiACPIReclaimMemory holds ACPI tables; the OS may use it as free memory only after it has read (or copied) those tables.' },
  { id: 'UEFI.REUSE.KEEP_ACPI_NVS', title: 'ACPI NVS memory stays reserved', source: `${U} §7.2, Table 7.7`,
    summary: 'EfiACPIMemoryNVS must be preserved by the OS, including across sleep states.' },
  { id: 'UEFI.REUSE.KEEP_RESERVED', title: 'Reserved, unusable and MMIO ranges are never RAM', source: `${U} §7.2, Table 7.7`,
    summary: 'EfiReservedMemoryType, EfiUnusableMemory, EfiMemoryMappedIO, EfiMemoryMappedIOPortSpace and EfiPalCode are never usable as general memory; EfiPersistentMemory keeps its contents and EfiUnacceptedMemoryType must be accepted before use.' },
] as const);

export type UefiClauseId = ClauseIdOf<typeof UEFI_CLAUSES>;
