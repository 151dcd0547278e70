import type { ElfClauseId } from '../../spec/clauses/elf.ts';

/** How a finding counts: `error` stops the load, `warning` is reported, `off` is not reported. */
export type Severity = 'error' | 'warning' | 'off';

export type ProfileName = 'strict' | 'limine' | 'rust-osdev' | 'grub';
export const PROFILE_NAMES: readonly ProfileName[] = ['strict', 'limine', 'rust-osdev', 'grub'];

/** Where the loaded bytes go in physical memory. */
export type Placement = 'paddr' | 'allocate';

/**
 * A loader's policy. Each check has a default severity (documented in docs/elf.md and
 * chosen by `validate`); a profile overrides the severity of whole clauses, and fixes
 * how pages shared by segments with different rights are treated
 * (ELF.PH.LOAD.PAGE_SHARED), where bytes are placed (ELF.LOAD.PADDR) and whether
 * position-independent images are accepted.
 */
export interface LoaderProfile {
  readonly name: ProfileName;
  readonly description: string;
  readonly severity: Readonly<Partial<Record<ElfClauseId, Severity>>>;
  /** `error`: refuse; `union`: map the page with the union of the rights and warn. */
  readonly sharedPages: 'error' | 'union';
  readonly placement: Placement;
  /** Whether ET_DYN images are accepted (and relocated at the chosen base). */
  readonly relocatable: boolean;
}

export const PROFILES: Readonly<Record<ProfileName, LoaderProfile>> = {
  strict: {
    name: 'strict',
    description: 'Every rule at its default severity; pages shared with different rights are refused; frames are allocated.',
    severity: {},
    sharedPages: 'error',
    placement: 'allocate',
    relocatable: true,
  },
  limine: {
    name: 'limine',
    description: 'Like the Limine protocol: a non-relocatable kernel must lie in the higher half (ELF.KERNEL.HIGHER_HALF is an error); frames are allocated by the loader; unsorted PT_LOAD entries are tolerated.',
    severity: { 'ELF.KERNEL.HIGHER_HALF': 'error', 'ELF.PH.LOAD.SORTED': 'warning', 'ELF.KERNEL.CODE_MODEL': 'off' },
    sharedPages: 'error',
    placement: 'allocate',
    relocatable: true,
  },
  'rust-osdev': {
    name: 'rust-osdev',
    description: 'Like rust-osdev/bootloader: kernels anywhere in the address space, position-independent kernels relocated, a page shared by two segments gets the union of their rights (with a warning).',
    severity: { 'ELF.PH.LOAD.SORTED': 'warning', 'ELF.KERNEL.CODE_MODEL': 'off' },
    sharedPages: 'union',
    placement: 'allocate',
    relocatable: true,
  },
  grub: {
    name: 'grub',
    description: 'Like GRUB loading a Multiboot ELF: bytes go to p_paddr, only ET_EXEC is accepted, page rights are the kernel\'s business (shared pages are not reported).',
    severity: { 'ELF.PH.LOAD.PAGE_SHARED': 'off', 'ELF.KERNEL.CODE_MODEL': 'off', 'ELF.PH.GNU_STACK': 'off' },
    sharedPages: 'union',
    placement: 'paddr',
    relocatable: false,
  },
};
