/**
 * Reads a results file (`x64spec-results/1`, harness/results.ts) and checks every field
 * the report relies on, so a truncated or hand-edited file gets an error naming the file
 * and the JSON path instead of a crash deep inside the writers.
 */
import { readFileSync } from 'node:fs';
import { RESULTS_FORMAT, type ResultsFile } from '../harness/results.ts';
import { SUITES } from '../harness/types.ts';
import { ReportInputError } from './errors.ts';
import { VERDICTS } from './types.ts';

/** A results file with the path it was read from. */
export interface LoadedResults {
  readonly file: string;
  readonly results: ResultsFile;
}

/** Reads `path`; errors and the result name the file as `file` (default: `path`). */
export function loadResultsFile(path: string, file = path): LoadedResults {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ReportInputError({ kind: 'unreadable', file, cause: (err as NodeJS.ErrnoException).code ?? String(err) });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ReportInputError({ kind: 'not-json', file, cause: (err as Error).message });
  }
  return { file, results: checkResults(data, file) };
}

type Obj = Record<string, unknown>;

/** Checks the shape of a parsed results file; throws ReportInputError at the first problem. */
export function checkResults(data: unknown, file: string): ResultsFile {
  const fail = (path: string, expected: string): never => {
    throw new ReportInputError({ kind: 'invalid', file, path, expected });
  };
  const obj = (v: unknown, path: string): Obj =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : fail(path, 'an object');
  const arr = (v: unknown, path: string): unknown[] => (Array.isArray(v) ? v : fail(path, 'an array'));
  const str = (v: unknown, path: string): string => (typeof v === 'string' ? v : fail(path, 'a string'));
  const num = (v: unknown, path: string): number =>
    typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fail(path, 'a non-negative number');
  const optNum = (v: unknown, path: string): void => {
    if (v !== undefined) num(v, path);
  };
  const optStr = (v: unknown, path: string): void => {
    if (v !== undefined) str(v, path);
  };
  const oneOf = (v: unknown, allowed: readonly string[], path: string): void => {
    if (typeof v !== 'string' || !allowed.includes(v)) fail(path, `one of ${allowed.join(', ')}`);
  };

  const root = obj(data, '$');
  if (root.format !== RESULTS_FORMAT) {
    throw new ReportInputError({ kind: 'wrong-format', file, found: JSON.stringify(root.format ?? null) });
  }
  str(root.x64specVersion, '$.x64specVersion');
  arr(root.command, '$.command').forEach((c, i) => str(c, `$.command[${i}]`));
  str(root.startedAt, '$.startedAt');
  num(root.durationMs, '$.durationMs');
  if (root.seed !== undefined && !Number.isInteger(root.seed)) fail('$.seed', 'an integer');
  if (root.shard !== undefined) {
    const s = obj(root.shard, '$.shard');
    const count = num(s.count, '$.shard.count');
    const index = num(s.index, '$.shard.index');
    if (!Number.isInteger(index) || index < 1 || index > count) fail('$.shard.index', `an integer in 1..${count}`);
  }
  const m = obj(root.machine, '$.machine');
  for (const k of ['node', 'platform', 'arch', 'cpuModel'] as const) str(m[k], `$.machine.${k}`);
  num(m.cpus, '$.machine.cpus');
  num(m.memoryBytes, '$.machine.memoryBytes');

  arr(root.runs, '$.runs').forEach((r, i) => {
    const p = `$.runs[${i}]`;
    const run = obj(r, p);
    const impl = obj(run.impl, `${p}.impl`);
    for (const k of ['spec', 'kind', 'name', 'version'] as const) str(impl[k], `${p}.impl.${k}`);
    arr(run.suites, `${p}.suites`).forEach((s, j) => oneOf(s, SUITES, `${p}.suites[${j}]`));
    str(run.startedAt, `${p}.startedAt`);
    num(run.durationMs, `${p}.durationMs`);
    optStr(run.stderr, `${p}.stderr`);
    const counts = obj(run.counts, `${p}.counts`);
    for (const v of VERDICTS) num(counts[v], `${p}.counts.${v}`);
    arr(run.cases, `${p}.cases`).forEach((c, j) => {
      const q = `${p}.cases[${j}]`;
      const cs = obj(c, q);
      str(cs.id, `${q}.id`);
      oneOf(cs.suite, SUITES, `${q}.suite`);
      str(cs.title, `${q}.title`);
      arr(cs.clauses, `${q}.clauses`).forEach((x, k) => str(x, `${q}.clauses[${k}]`));
      oneOf(cs.verdict, VERDICTS, `${q}.verdict`);
      const src = obj(cs.source, `${q}.source`);
      str(src.file, `${q}.source.file`);
      num(src.line, `${q}.source.line`);
      optNum(cs.durationMs, `${q}.durationMs`);
      optStr(cs.reason, `${q}.reason`);
      optStr(cs.deviation, `${q}.deviation`);
      if (cs.input !== undefined) obj(cs.input, `${q}.input`);
      if (cs.expect !== undefined) obj(cs.expect, `${q}.expect`);
      if (cs.diff !== undefined) {
        arr(cs.diff, `${q}.diff`).forEach((d, k) => {
          const e = obj(d, `${q}.diff[${k}]`);
          str(e.path, `${q}.diff[${k}].path`);
          if (!('expected' in e)) fail(`${q}.diff[${k}].expected`, 'present');
          if (!('observed' in e)) fail(`${q}.diff[${k}].observed`, 'present');
          optStr(e.clause, `${q}.diff[${k}].clause`);
        });
      }
    });
  });
  return data as ResultsFile;
}
