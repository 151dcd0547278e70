import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchModuleFiles, discoverBenchmarks } from '../bench/index.ts';
import type { Benchmark } from '../bench/types.ts';
import { benchJson, formatTable, formatValue, parseBenchArgs, toRecords } from './bench.ts';
import { UsageError } from './command.ts';

describe('x64spec bench options', () => {
  it('parses --only (repeatable), --json, --strict, --list', () => {
    expect(parseBenchArgs([])).toEqual({ groups: [], only: [], json: 'out/bench.json', strict: false, list: false });
    expect(parseBenchArgs(['--group', 'paging', '--only', 'hot', '--only', 'qemu', '--json', 'x.json', '--strict', '--list']))
      .toEqual({ groups: ['paging'], only: ['hot', 'qemu'], json: 'x.json', strict: true, list: true });
  });

  it('names the bad option in a one-line usage error', () => {
    expect(() => parseBenchArgs(['--fast'])).toThrow(new UsageError("unknown option '--fast' (try x64spec bench --help)"));
    expect(() => parseBenchArgs(['--json'])).toThrow(new UsageError('--json needs a value'));
    expect(() => parseBenchArgs(['--only', '--strict'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--group'])).toThrow(new UsageError('--group needs a value'));
  });
});

describe('formatting', () => {
  it('scales values and keeps units', () => {
    expect(formatValue(12_345_678, 'translations/s')).toBe('12.35 M translations/s');
    expect(formatValue(2.5e9, 'translations/s')).toBe('2.50 G translations/s');
    expect(formatValue(45_600, 'translations/s')).toBe('45.6 k translations/s');
    expect(formatValue(0.41234, 'ratio')).toBe('0.412');
    expect(formatValue(85, 'ms')).toBe('85 ms');
    expect(formatValue(1.23456, 'ms')).toBe('1.235 ms');
    expect(formatValue(Number.NaN, 'ms')).toBe('—');
  });

  const bench: Benchmark = { name: 'b', group: 'g', run: async () => [] };

  it('marks targets met or missed, lists notes and module problems, and counts targets', () => {
    const records = toRecords(bench, [
      { name: 'fast', value: 2e7, unit: 'translations/s', target: { op: '>=', value: 1e7 } },
      { name: 'slow', value: 20, unit: 'ms', target: { op: '<=', value: 10 }, note: 'machine busy' },
      { name: 'plain', value: 3, unit: 'ms' },
      { name: 'lost', value: Number.NaN, unit: 'ms', target: { op: '<=', value: 10 } },
    ]);
    expect(records.map((r) => r.met)).toEqual([true, false, undefined, false]);
    expect(records[0]).toMatchObject({ group: 'g', benchmark: 'b' });
    const table = formatTable(records, [{ module: 'qemu.ts', message: 'failed to load: boom' }]);
    expect(table).toContain('20.00 M translations/s');
    expect(table).toContain('≥ 10.00 M translations/s');
    expect(table).toContain('≤ 10 ms');
    expect(table).toMatch(/slow.*MISSED/);
    expect(table).toContain('g / slow: machine busy');
    expect(table).toContain('qemu.ts: failed to load: boom');
    expect(table).toContain('1 of 3 targets met');
    expect(formatTable(toRecords(bench, [{ name: 'plain', value: 1, unit: 'ms' }]), [])).toContain('no targets in this run');
    const json = JSON.parse(benchJson(records)) as { value: number; group: string; target?: unknown }[];
    expect(json.map((r) => r.value)).toEqual([2e7, 20, 3]); // the unmeasured one is left out
    expect(json[0]).toMatchObject({ group: 'g', name: 'fast', unit: 'translations/s', target: { op: '>=', value: 1e7 } });
  });
});

describe('benchmark discovery', () => {
  it('loads modules that export benchmarks, skips helpers, and reports broken modules without stopping', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-modules-'));
    writeFileSync(join(dir, 'good.ts'), "export const benchmarks = [{ name: 'one', group: 'x', run: async () => [] }];\n");
    writeFileSync(join(dir, 'helper.ts'), 'export const notABenchmark = 1;\n');
    writeFileSync(join(dir, 'broken.ts'), "throw new Error('cannot load this');\n");
    writeFileSync(join(dir, 'wrong.ts'), "export const benchmarks = [{ name: 'no run' }];\n");
    writeFileSync(join(dir, 'types.ts'), 'export {};\n');
    writeFileSync(join(dir, 'good.test.ts'), 'export {};\n');
    expect(benchModuleFiles(dir)).toEqual(['broken.ts', 'good.ts', 'helper.ts', 'wrong.ts']);
    const found = await discoverBenchmarks(dir);
    expect(found.benchmarks.map((b) => b.name)).toEqual(['one']);
    expect(found.problems).toEqual([
      { module: 'broken.ts', message: 'failed to load: cannot load this' },
      { module: 'wrong.ts', message: "'benchmarks' is not an array of { name, group, run }" },
    ]);
  });

  it('writes what the report reads', async () => {
    const { readBenchmarks } = await import('../../report/inputs.ts');
    const dir = mkdtempSync(join(tmpdir(), 'bench-json-'));
    const records = toRecords({ name: 'b', group: 'g', run: async () => [] }, [
      { name: 'x', value: 5, unit: 'ms', target: { op: '<=', value: 10 }, note: 'n' },
      { name: 'y', value: Number.NaN, unit: 'ms' },
    ]);
    writeFileSync(join(dir, 'bench.json'), benchJson(records));
    const read = readBenchmarks(join(dir, 'bench.json'), dir);
    expect(read.available).toBe(true);
  });

  it('finds the paging benchmarks in harness/bench', async () => {
    const found = await discoverBenchmarks();
    expect(found.benchmarks.filter((b) => b.group === 'paging').map((b) => b.name)).toEqual(['hot translations', 'random translations', 'mapper operations']);
  });
});
