/**
 * Benchmark plots as inline SVG: one horizontal bar chart per benchmark group and unit
 * (bars of different units never share an axis). Each bar is labelled with its value and
 * unit; a target, when the benchmark has one, is a dashed line with a met/missed mark
 * in text, so neither colour nor position alone carries the meaning.
 */
import type { BenchEntry } from '../types.ts';
import { esc } from './escape.ts';
import { fmtValue } from './format.ts';

export interface ChartGroup {
  readonly group: string;
  readonly unit: string;
  readonly entries: readonly BenchEntry[];
}

/** Groups entries by group, then unit, keeping first-seen order. */
export function chartGroups(entries: readonly BenchEntry[]): ChartGroup[] {
  const out = new Map<string, { group: string; unit: string; entries: BenchEntry[] }>();
  for (const e of entries) {
    const k = `${e.group}\u0000${e.unit}`;
    const g = out.get(k) ?? { group: e.group, unit: e.unit, entries: [] };
    g.entries.push(e);
    out.set(k, g);
  }
  return [...out.values()];
}

/** Whether a measured value meets its target. */
export function targetMet(e: BenchEntry): boolean | undefined {
  if (e.target === undefined) return undefined;
  return e.target.op === '>=' ? e.value >= e.target.value : e.value <= e.target.value;
}

const W = 1040;
const LABEL_W = 320;
const VALUE_W = 250;
const BAR_H = 22;
const GAP = 10;
const TOP = 28;
const AXIS_H = 30;

function niceTicks(max: number, log: boolean, min: number): number[] {
  if (log) {
    const ticks: number[] = [];
    for (let p = Math.floor(Math.log10(min)); 10 ** p <= max * 1.0001; p++) ticks.push(10 ** p);
    return ticks;
  }
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  const last = Math.ceil(max / step - 1e-9);
  for (let k = 0; k <= last; k++) ticks.push(k * step);
  return ticks;
}

/** One chart as an SVG element (with a title and description for screen readers). */
export function barChart(g: ChartGroup, id: string): string {
  const values = g.entries.flatMap((e) => (e.target ? [e.value, e.target.value] : [e.value])).filter((v) => v > 0);
  const maxV = Math.max(...values, 1e-12);
  const minV = Math.min(...values, maxV);
  // Values spanning more than two orders of magnitude (the model vs QEMU) would leave
  // the small bars invisible on a linear axis.
  const log = values.length > 1 && maxV / minV > 100;
  const lo = log ? 10 ** Math.floor(Math.log10(minV)) : 0;
  const hi = log ? 10 ** Math.ceil(Math.log10(maxV)) : niceTicks(maxV, false, 0).at(-1)! || maxV;
  const plotW = W - LABEL_W - VALUE_W;
  const x = (v: number): number => {
    if (v <= lo) return 0;
    return log ? (plotW * (Math.log10(v) - Math.log10(lo))) / (Math.log10(hi) - Math.log10(lo)) : (plotW * v) / hi;
  };
  const h = TOP + g.entries.length * (BAR_H + GAP) + AXIS_H;
  const parts: string[] = [];
  const titleId = `${id}-t`;
  parts.push(`<svg class="chart" id="${esc(id)}" viewBox="0 0 ${W} ${h}" width="100%" role="img" aria-labelledby="${titleId}" preserveAspectRatio="xMinYMin meet">`);
  parts.push(`<title id="${titleId}">${esc(g.group)}, in ${esc(g.unit)}${log ? ' (logarithmic axis)' : ''}</title>`);
  parts.push(`<text class="chart-unit" x="${LABEL_W}" y="16">${esc(g.unit)}${log ? ' · log scale' : ''}</text>`);
  const ticks = niceTicks(hi, log, lo);
  const axisY = TOP + g.entries.length * (BAR_H + GAP);
  for (const t of ticks) {
    const tx = LABEL_W + x(t);
    parts.push(`<line class="grid" x1="${tx.toFixed(1)}" y1="${TOP - 4}" x2="${tx.toFixed(1)}" y2="${axisY}"/>`);
    parts.push(`<text class="tick" x="${tx.toFixed(1)}" y="${axisY + 16}" text-anchor="middle">${esc(fmtValue(t, ''))}</text>`);
  }
  g.entries.forEach((e, i) => {
    const y = TOP + i * (BAR_H + GAP);
    const met = targetMet(e);
    const bw = Math.max(2, x(e.value));
    const cls = met === undefined ? 'bar' : met ? 'bar met' : 'bar missed';
    parts.push(`<g class="row"><title>${esc(`${e.name}: ${fmtValue(e.value, e.unit)}${e.target ? ` (target ${e.target.op} ${fmtValue(e.target.value, e.unit)}: ${met ? 'met' : 'missed'})` : ''}${e.note ? ` — ${e.note}` : ''}`)}</title>`);
    parts.push(`<text class="label" x="${LABEL_W - 8}" y="${y + BAR_H / 2 + 4}" text-anchor="end">${esc(truncate(e.name, 46))}</text>`);
    parts.push(`<rect class="${cls}" x="${LABEL_W}" y="${y}" width="${bw.toFixed(1)}" height="${BAR_H}" rx="3"/>`);
    if (met === false) {
      // Hatching marks a missed target without relying on colour.
      parts.push(`<rect class="hatch" x="${LABEL_W}" y="${y}" width="${bw.toFixed(1)}" height="${BAR_H}" rx="3" fill="url(#hatch)"/>`);
    }
    const mark = met === undefined ? '' : met ? ' ✓' : ' ✗';
    parts.push(`<text class="value" x="${(LABEL_W + plotW + 8).toFixed(1)}" y="${y + BAR_H / 2 + 4}">${esc(fmtValue(e.value, e.unit))}${mark}</text>`);
    if (e.target !== undefined) {
      const tx = LABEL_W + x(e.target.value);
      parts.push(`<line class="target" x1="${tx.toFixed(1)}" y1="${y - 3}" x2="${tx.toFixed(1)}" y2="${y + BAR_H + 3}"/>`);
    }
    parts.push('</g>');
  });
  parts.push(`<line class="axis" x1="${LABEL_W}" y1="${axisY}" x2="${LABEL_W + plotW}" y2="${axisY}"/>`);
  parts.push('</svg>');
  return parts.join('');
}

function truncate(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, n - 1) + '…';
}

/** Shared SVG definitions (the hatch pattern), placed once in the page. */
export const CHART_DEFS = '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" class="hatch-line"/></pattern></defs></svg>';
