import { defineClauses, type ClauseIdOf } from '../clause.ts';

/** The HANDOFF area of the registry (filled by the handoff work). */
export const HANDOFF_CLAUSES = defineClauses([] as const);

export type HandoffClauseId = ClauseIdOf<typeof HANDOFF_CLAUSES>;
