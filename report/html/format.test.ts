import { describe, expect, it } from 'vitest';
import { barChart, chartGroups, targetMet } from './charts.ts';
import { CLIENT_FORMATTERS, fmtBytes, fmtCount, fmtDuration, fmtPct, fmtValue } from './format.ts';

describe('numbers with units', () => {
  it('counts pluralise their unit', () => {
    expect(fmtCount(1, 'case')).toBe('1 case');
    expect(fmtCount(20000, 'case')).toBe('20,000 cases');
    expect(fmtCount(2, 'branch')).toBe('2 branches');
    expect(fmtCount(3, 'results file')).toBe('3 results files');
  });

  it('durations pick ms, s, min or h', () => {
    expect(fmtDuration(0.25)).toBe('0.25 ms');
    expect(fmtDuration(850)).toBe('850 ms');
    expect(fmtDuration(1234)).toBe('1.23 s');
    expect(fmtDuration(12_345)).toBe('12.3 s');
    expect(fmtDuration(245_000)).toBe('4 min 05 s');
    expect(fmtDuration(3_720_000)).toBe('1 h 02 min');
    expect(fmtDuration(-1)).toBe('—');
  });

  it('bytes, percentages and measured values', () => {
    expect(fmtBytes(512)).toBe('512 B');
    expect(fmtBytes(8 * 2 ** 30)).toBe('8.0 GiB');
    expect(fmtPct(96.666)).toBe('96.7 %');
    expect(fmtValue(2_050_000.4, 'walks/s')).toBe('2,050,000 walks/s');
    expect(fmtValue(35.24, 'ns')).toBe('35.24 ns');
    expect(fmtValue(0.015094, 'ratio')).toBe('0.01509 ratio');
  });

  it('the page gets the same functions as text', () => {
    const fns = new Function(`${CLIENT_FORMATTERS}; return { fmtCount, fmtDuration, fmtBytes, fmtPct, fmtValue };`)() as Record<string, (...a: unknown[]) => string>;
    expect(fns.fmtDuration!(245_000)).toBe(fmtDuration(245_000));
    expect(fns.fmtCount!(2, 'branch')).toBe('2 branches');
    expect(fns.fmtValue!(41e6, 'walks/s')).toBe(fmtValue(41e6, 'walks/s'));
  });
});

describe('benchmark charts', () => {
  const entries = [
    { group: 'walk', name: 'model', value: 2e6, unit: 'walks/s', target: { op: '>=' as const, value: 1e6 } },
    { group: 'walk', name: 'QEMU', value: 85_000, unit: 'walks/s', target: { op: '>=' as const, value: 1e5 } },
    { group: 'walk', name: 'C', value: 4.1e7, unit: 'walks/s' },
    { group: 'walk', name: 'size', value: 3, unit: 'MiB' },
  ];

  it('one chart per group and unit, targets judged', () => {
    expect(chartGroups(entries).map((g) => [g.group, g.unit, g.entries.length])).toEqual([['walk', 'walks/s', 3], ['walk', 'MiB', 1]]);
    expect(entries.map(targetMet)).toEqual([true, false, undefined, undefined]);
  });

  it('labels every bar with value and unit, marks missed targets in text, and uses a log axis for wide ranges', () => {
    const svg = barChart(chartGroups(entries)[0]!, 'c');
    expect(svg).toContain('2,000,000 walks/s ✓');
    expect(svg).toContain('85,000 walks/s ✗');
    expect(svg).toContain('41,000,000 walks/s<');
    expect(svg).toContain('log scale');
    expect(svg.match(/class="target"/g)).toHaveLength(2);
    expect(svg).toContain('fill="url(#hatch)"');
    const linear = barChart(chartGroups(entries)[1]!, 'd');
    expect(linear).not.toContain('log scale');
  });
});
