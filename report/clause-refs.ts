/**
 * Which properties and hand-computed tests name which clause, as the properties work's
 * scanner (properties/support/clause-scan.ts) finds them: a clause id inside a string
 * literal of a `*.test.ts` file (a test name or a `clauses: [...]` tag).
 */
import { referencesByClause, scanTests } from '../properties/support/clause-scan.ts';
import type { PropertyRef } from './types.ts';

export interface ClauseRefs {
  readonly byClause: ReadonlyMap<string, readonly PropertyRef[]>;
  /** Where the references came from, for the report's coverage section. */
  readonly source: string;
}

/** Clause → the tests naming it, under `root`. */
export function findClauseRefs(root: string): ClauseRefs {
  const byClause = new Map<string, PropertyRef[]>();
  for (const [id, refs] of referencesByClause(scanTests(root))) {
    byClause.set(id, refs.map((r) => ({ file: r.file, line: r.line, ...(r.testName !== undefined ? { name: r.testName } : {}) })));
  }
  return { byClause, source: 'clause ids named in *.test.ts string literals (properties/support/clause-scan.ts)' };
}
