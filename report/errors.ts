/**
 * Why a report could not be made from its inputs. Errors are data: the CLI prints
 * `message` on one line; tests match on `problem.kind`.
 */
export type ReportProblem =
  | { readonly kind: 'unreadable'; readonly file: string; readonly cause: string }
  | { readonly kind: 'not-json'; readonly file: string; readonly cause: string }
  | { readonly kind: 'invalid'; readonly file: string; readonly path: string; readonly expected: string }
  | { readonly kind: 'wrong-format'; readonly file: string; readonly found: string }
  | { readonly kind: 'duplicate-case'; readonly id: string; readonly impl: string; readonly files: readonly [string, string] }
  | { readonly kind: 'no-input' };

export function describeProblem(p: ReportProblem): string {
  switch (p.kind) {
    case 'unreadable':
      return `cannot read ${p.file}: ${p.cause}${p.cause === 'ENOENT' ? ' (run `npx x64spec run --impl …` first, or name the results files with --results)' : ''}`;
    case 'not-json':
      return `${p.file} is not JSON: ${p.cause}`;
    case 'invalid':
      return `${p.file}: ${p.path} should be ${p.expected}`;
    case 'wrong-format':
      return `${p.file} is not an x64spec results file (format ${p.found}, expected x64spec-results/1)`;
    case 'duplicate-case':
      return `case ${p.id} of ${p.impl} appears twice (in ${p.files[0]} and ${p.files[1]}); pass each shard once`;
    case 'no-input':
      return 'no results file given';
  }
}

export class ReportInputError extends Error {
  override readonly name = 'ReportInputError';
  constructor(readonly problem: ReportProblem) {
    super(describeProblem(problem));
  }
}
