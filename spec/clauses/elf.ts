import { defineClauses, type ClauseIdOf } from '../clause.ts';

/** The ELF area of the registry (filled by the elf work). */
export const ELF_CLAUSES = defineClauses([] as const);

export type ElfClauseId = ClauseIdOf<typeof ELF_CLAUSES>;
