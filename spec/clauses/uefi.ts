import { defineClauses, type ClauseIdOf } from '../clause.ts';

/** The UEFI area of the registry (filled by the uefi work). */
export const UEFI_CLAUSES = defineClauses([] as const);

export type UefiClauseId = ClauseIdOf<typeof UEFI_CLAUSES>;
