/**
 * A large results file for the report's scale checks: every case of `base` repeated
 * `copies` times under new ids (`<id>-c<k>`), so a corpus of hundreds of vectors gives a
 * report of tens of thousands of cases with the same mix of verdicts and details.
 */
import type { CaseResult, ResultsFile } from '../../harness/results.ts';
import { countVerdicts } from '../../harness/runner/run.ts';

export function scaleResults(base: ResultsFile, copies: number): ResultsFile {
  return {
    ...base,
    runs: base.runs.map((run) => {
      const cases: CaseResult[] = [];
      for (let k = 0; k < copies; k++) for (const c of run.cases) cases.push({ ...c, id: `${c.id}-c${k}` });
      return { ...run, cases, counts: countVerdicts(cases) };
    }),
  };
}
