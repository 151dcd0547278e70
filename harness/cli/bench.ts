/**
 * `x64spec bench`: runs every benchmark module in harness/bench (whichever are present),
 * prints a table with units and targets, and writes the results to out/bench.json for
 * the report.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { discoverBenchmarks, type BenchModuleProblem } from '../bench/index.ts';
import { meetsTarget, type Benchmark, type BenchRecord, type BenchResult } from '../bench/types.ts';
import { UsageError, type Command } from './command.ts';

const USAGE = `usage: x64spec bench [--group NAME] [--only TEXT] [--json FILE] [--strict] [--list]

Runs the benchmarks in harness/bench/*.ts and prints their figures with targets.
  --group NAME  run only the benchmarks of group NAME, e.g. paging (repeatable)
  --only TEXT   run only benchmarks whose group or name contains TEXT (repeatable)
  --json FILE   where to write the results (default out/bench.json)
  --strict      exit 1 when a target is missed or a benchmark fails
  --list        list the benchmarks without running them
Environment: X64SPEC_BENCH_SECONDS sets the CPU seconds per paging measurement (default 0.6).`;

interface Options {
  readonly groups: readonly string[];
  readonly only: readonly string[];
  readonly json: string;
  readonly strict: boolean;
  readonly list: boolean;
}

export function parseBenchArgs(args: readonly string[]): Options {
  const groups: string[] = [];
  const only: string[] = [];
  let json = 'out/bench.json';
  let strict = false;
  let list = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--strict') strict = true;
    else if (a === '--list') list = true;
    else if (a === '--only' || a === '--json' || a === '--group') {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      if (a === '--only') only.push(v);
      else if (a === '--group') groups.push(v);
      else json = v;
    } else throw new UsageError(`unknown option '${a}' (try x64spec bench --help)`);
  }
  return { groups, only, json, strict, list };
}

function selected(b: Benchmark, o: Options): boolean {
  return (o.groups.length === 0 || o.groups.includes(b.group))
    && (o.only.length === 0 || o.only.some((t) => b.group.includes(t) || b.name.includes(t)));
}

/** A value with its unit, scaled for reading: 12.3 M translations/s, 0.412, 85 ms. */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '—';
  if (unit === 'ratio') return value.toFixed(3);
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(2)} G ${unit}`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)} M ${unit}`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)} k ${unit}`;
  return `${Number.isInteger(value) ? value : value.toPrecision(4)} ${unit}`;
}

/** The results of one benchmark as records, with whether each target is met. */
export function toRecords(b: Benchmark, results: readonly BenchResult[]): BenchRecord[] {
  return results.map((r) => ({
    group: b.group,
    benchmark: b.name,
    ...r,
    ...(r.target ? { met: Number.isFinite(r.value) && meetsTarget(r.value, r.target) } : {}),
  }));
}

/** The printed table: one row per result, notes and module problems below. */
export function formatTable(records: readonly BenchRecord[], problems: readonly BenchModuleProblem[]): string {
  const rows = records.map((r) => [
    r.group,
    r.name,
    formatValue(r.value, r.unit),
    r.target ? `${r.target.op === '>=' ? '≥' : '≤'} ${formatValue(r.target.value, r.unit)}` : '',
    r.met === undefined ? '' : r.met ? 'met' : 'MISSED',
  ]);
  const head = ['group', 'result', 'value', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  const notes = records.filter((r) => r.note !== undefined).map((r) => `  ${r.group} / ${r.name}: ${r.note}`);
  if (notes.length > 0) out.push('', 'notes:', ...notes);
  if (problems.length > 0) out.push('', 'modules not run:', ...problems.map((p) => `  ${p.module}: ${p.message}`));
  const missed = records.filter((r) => r.met === false).length;
  const withTarget = records.filter((r) => r.met !== undefined).length;
  out.push('', withTarget === 0 ? 'no targets in this run' : `${withTarget - missed} of ${withTarget} targets met`);
  return out.join('\n');
}

/**
 * JSON for out/bench.json: an array of the measured records. A result that could not be
 * measured (NaN) is left out — the report reads only finite values — and stays visible in
 * the printed table with its note.
 */
export function benchJson(records: readonly BenchRecord[]): string {
  return JSON.stringify(records.filter((r) => Number.isFinite(r.value)), null, 2) + '\n';
}

export const command: Command = {
  summary: 'measure the model (and the C walker, QEMU, adapters) and compare with targets',
  usage: USAGE,
  async run(args) {
    const options = parseBenchArgs(args);
    const { benchmarks, problems } = await discoverBenchmarks();
    const chosen = benchmarks.filter((b) => selected(b, options));
    if (options.list) {
      for (const b of benchmarks) process.stdout.write(`${b.group}\t${b.name}\n`);
      for (const p of problems) process.stdout.write(`(not loaded) ${p.module}: ${p.message}\n`);
      return 0;
    }
    if (chosen.length === 0) {
      const asked = [...options.groups.map((g) => `group '${g}'`), ...options.only.map((t) => `'${t}'`)].join(', ');
      throw new UsageError(asked === '' ? 'no benchmark modules found in harness/bench' : `no benchmark matches ${asked}`);
    }
    const records: BenchRecord[] = [];
    let failed = 0;
    for (const b of chosen) {
      process.stderr.write(`running ${b.group} / ${b.name} …\n`);
      const t0 = Date.now();
      try {
        records.push(...toRecords(b, await b.run()));
      } catch (e) {
        failed++;
        const why = e instanceof Error ? e.message.split('\n')[0]! : String(e);
        records.push({ group: b.group, benchmark: b.name, name: b.name, value: Number.NaN, unit: '', note: `failed: ${why}` });
      }
      process.stderr.write(`  done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    }
    process.stdout.write(formatTable(records, problems) + '\n');
    mkdirSync(dirname(options.json), { recursive: true });
    writeFileSync(options.json, benchJson(records));
    const unmeasured = records.filter((r) => !Number.isFinite(r.value)).length;
    process.stdout.write(`results written to ${options.json}${unmeasured > 0 ? ` (${unmeasured} unmeasured result(s) left out)` : ''}\n`);
    const missed = records.some((r) => r.met === false);
    return options.strict && (missed || failed > 0 || problems.length > 0) ? 1 : 0;
  },
};
