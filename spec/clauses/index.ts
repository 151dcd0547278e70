import type { Clause } from '../clause.ts';
import { PAGING_CLAUSES } from './paging.ts';
import { ELF_CLAUSES } from './elf.ts';
import { UEFI_CLAUSES } from './uefi.ts';
import { HANDOFF_CLAUSES } from './handoff.ts';

export type { PagingClauseId } from './paging.ts';
export type { ElfClauseId } from './elf.ts';
export type { UefiClauseId } from './uefi.ts';
export type { HandoffClauseId } from './handoff.ts';

/** Every clause of every area, in registry order. */
export const ALL_CLAUSES: readonly Clause[] = [
  ...PAGING_CLAUSES,
  ...ELF_CLAUSES,
  ...UEFI_CLAUSES,
  ...HANDOFF_CLAUSES,
];

const byId = new Map(ALL_CLAUSES.map((c) => [c.id, c]));

/** Looks a clause up by id; undefined for an unknown id. */
export function clauseById(id: string): Clause | undefined {
  return byId.get(id);
}

export { PAGING_CLAUSES, ELF_CLAUSES, UEFI_CLAUSES, HANDOFF_CLAUSES };
