/**
 * The optional inputs beside the results: the code-coverage summary of
 * @vitest/coverage-v8 (`json-summary` reporter) and the benchmark figures of
 * `npm run bench`. Either may be missing or unreadable; the report then says why
 * instead of failing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { BenchEntry, Benchmarks, CodeCoverage, CoverageFigures, CoverageMetric } from './types.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `file` as the reader should see it: relative to the project root when inside it. */
function shown(file: string, root: string): string {
  const rel = relative(root, file).split('\\').join('/');
  return rel.startsWith('..') || rel === '' ? file : rel;
}

function readJson(file: string, root: string): { ok: true; data: unknown } | { ok: false; reason: string } {
  if (!existsSync(file)) return { ok: false, reason: `${shown(file, root)} does not exist` };
  try {
    return { ok: true, data: JSON.parse(readFileSync(file, 'utf8')) };
  } catch (err) {
    return { ok: false, reason: `${shown(file, root)} is not readable JSON (${(err as Error).message})` };
  }
}

function metric(v: unknown): CoverageMetric | undefined {
  if (!isObj(v) || typeof v.total !== 'number' || typeof v.covered !== 'number') return undefined;
  return { total: v.total, covered: v.covered, pct: v.total === 0 ? 100 : round1((100 * v.covered) / v.total) };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

function figures(v: unknown): CoverageFigures | undefined {
  if (!isObj(v)) return undefined;
  const lines = metric(v.lines);
  const statements = metric(v.statements);
  const functions = metric(v.functions);
  const branches = metric(v.branches);
  if (!lines || !statements || !functions || !branches) return undefined;
  return { lines, statements, functions, branches };
}

function add(a: CoverageFigures, b: CoverageFigures): CoverageFigures {
  const m = (x: CoverageMetric, y: CoverageMetric): CoverageMetric => {
    const total = x.total + y.total;
    const covered = x.covered + y.covered;
    return { total, covered, pct: total === 0 ? 100 : round1((100 * covered) / total) };
  };
  return { lines: m(a.lines, b.lines), statements: m(a.statements, b.statements), functions: m(a.functions, b.functions), branches: m(a.branches, b.branches) };
}

/**
 * Reads `<coverageDir>/coverage-summary.json`; paths in the result are relative to
 * `reportDir` (where the HTML lives) so its link works from file://.
 */
export function readCodeCoverage(coverageDir: string, reportDir: string, root: string): CodeCoverage {
  const summaryFile = join(coverageDir, 'coverage-summary.json');
  const read = readJson(summaryFile, root);
  if (!read.ok) return { available: false, reason: `${read.reason}; run \`npx vitest run --coverage\` (npm test does) to produce it` };
  if (!isObj(read.data)) return { available: false, reason: `${shown(summaryFile, root)} is not a coverage summary (no object at the top)` };
  const total = figures(read.data.total);
  if (total === undefined) return { available: false, reason: `${shown(summaryFile, root)} has no usable "total" entry` };
  const folders = new Map<string, { files: number; figs: CoverageFigures }>();
  for (const [file, v] of Object.entries(read.data)) {
    if (file === 'total') continue;
    const figs = figures(v);
    if (figs === undefined) continue;
    const folder = relative(root, dirname(file)).split('\\').join('/') || '.';
    const prev = folders.get(folder);
    folders.set(folder, prev === undefined ? { files: 1, figs } : { files: prev.files + 1, figs: add(prev.figs, figs) });
  }
  const htmlIndex = join(coverageDir, 'index.html');
  return {
    available: true,
    summaryFile: relative(reportDir, summaryFile).split('\\').join('/'),
    ...(existsSync(htmlIndex) ? { htmlIndex: relative(reportDir, htmlIndex).split('\\').join('/') } : {}),
    total,
    folders: [...folders.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([folder, { files, figs }]) => ({ folder, files, ...figs })),
  };
}

/** Reads the bench figures (`[{group,name,value,unit,target?,note?}]`); entries that do not fit are named in the reason. */
export function readBenchmarks(file: string, root: string): Benchmarks {
  const read = readJson(file, root);
  const name = shown(file, root);
  if (!read.ok) return { available: false, reason: `${read.reason}; run \`npm run bench\` to produce it` };
  if (!Array.isArray(read.data)) return { available: false, reason: `${name} should hold an array of benchmark results` };
  const entries: BenchEntry[] = [];
  for (const [i, e] of read.data.entries()) {
    if (!isObj(e) || typeof e.group !== 'string' || typeof e.name !== 'string' || typeof e.value !== 'number' || !Number.isFinite(e.value) || typeof e.unit !== 'string') {
      return { available: false, reason: `${name}: $[${i}] should be {group, name, value (a finite number), unit}` };
    }
    let target: BenchEntry['target'];
    if (e.target !== undefined) {
      const t = e.target;
      if (!isObj(t) || (t.op !== '>=' && t.op !== '<=') || typeof t.value !== 'number') {
        return { available: false, reason: `${name}: $[${i}].target should be {op: ">=" | "<=", value: number}` };
      }
      target = { op: t.op, value: t.value };
    }
    entries.push({ group: e.group, name: e.name, value: e.value, unit: e.unit, ...(target ? { target } : {}), ...(typeof e.note === 'string' ? { note: e.note } : {}) });
  }
  return { available: true, file: name, entries };
}
