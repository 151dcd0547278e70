/**
 * A clause is one normative rule that x64spec checks. Its id is stable forever once
 * published (`AREA.TOPIC.RULE`, upper case); code, properties, vectors and reports all
 * refer to rules by id, so searching for an id finds every place that deals with it.
 */
export interface Clause {
  /** `AREA.TOPIC.RULE`, e.g. `PG.PERM.WP.SUPERVISOR_WRITE`. */
  readonly id: string;
  /** A short title for tables and headings. */
  readonly title: string;
  /** Where the rule comes from, e.g. "SDM Vol. 3A §4.6.1" or "UEFI 2.10 §7.4". */
  readonly source: string;
  /** The rule in one line, in our own words (never quoted from the source). */
  readonly summary: string;
}

/** The areas of the registry; the first segment of every clause id. */
export type Area = 'PG' | 'ELF' | 'UEFI' | 'HANDOFF';

export const CLAUSE_ID_PATTERN = /^(PG|ELF|UEFI|HANDOFF)(\.[A-Z0-9_]+){2,}$/;

/** Defines an area's clauses; keeps the literal ids so `ClauseIdOf` can type-check references. */
export function defineClauses<const T extends readonly Clause[]>(clauses: T): T {
  return clauses;
}

export type ClauseIdOf<T extends readonly Clause[]> = T[number]['id'];
