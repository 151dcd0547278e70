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
  /** The base an ET_DYN image gets when the caller names none (default 0). */
  readonly defaultBase?: bigint;
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
    description: 'Like the Limine protocol: every segment must lie at or above 0xffffffff80000000 (ELF.KERNEL.HIGHER_HALF is an error) and a position-independent kernel is slid there by default; frames are allocated by the loader; unsorted PT_LOAD entries are tolerated.',
    severity: { 'ELF.KERNEL.HIGHER_HALF': 'error', 'ELF.PH.LOAD.SORTED': 'warning', 'ELF.KERNEL.CODE_MODEL': 'off' },
    sharedPages: 'error',
    placement: 'allocate',
    relocatable: true,
    defaultBase: 0xffff_ffff_8000_0000n,
  },
  'rust-osdev': {
    name: 'rust-osdev',
    description: 'Like rust-osdev/bootloader: kernels anywhere in the address space, position-independent kernels relocated, a page shared by two segments gets the union of their rights, with a warning (the policy of its PR #423).',
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
