/**
 * Number formatting with units, shared by the page writer (charts) and the page's script:
 * `CLIENT_FORMATTERS` embeds these very functions into the page, so both sides print the
 * same text. Each function must stay self-contained (no imports, no outer names) for that.
 */

/** A count with its unit, pluralised: `1 case`, `20,000 cases`. */
export function fmtCount(n: number, unit: string): string {
  const plural = unit.endsWith('s') ? unit : /(ch|sh|x)$/.test(unit) ? unit + 'es' : unit + 's';
  return `${n.toLocaleString('en-US')} ${n === 1 ? unit : plural}`;
}

/** A duration given in milliseconds: `850 ms`, `12.3 s`, `4 min 05 s`, `1 h 02 min`. */
export function fmtDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1) return `${(Math.round(ms * 1000) / 1000).toLocaleString('en-US')} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
  const totalS = Math.round(s);
  const h = Math.floor(totalS / 3600);
  const min = Math.floor((totalS % 3600) / 60);
  const sec = totalS % 60;
  return h > 0 ? `${h} h ${String(min).padStart(2, '0')} min` : `${min} min ${String(sec).padStart(2, '0')} s`;
}

/** Bytes in binary units: `512 B`, `7.8 GiB`. */
export function fmtBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** A percentage with one decimal: `97.5 %`. */
export function fmtPct(pct: number): string {
  return `${(Math.round(pct * 10) / 10).toFixed(1)} %`;
}

/** A measured value with its unit, four significant digits: `3,652,000 walks/s`, `35.2 ns`. */
export function fmtValue(value: number, unit: string): string {
  const abs = Math.abs(value);
  const text = abs >= 1000 ? Math.round(value).toLocaleString('en-US') : Number(value.toPrecision(4)).toLocaleString('en-US', { maximumFractionDigits: 6 });
  return unit === '' ? text : `${text} ${unit}`;
}

/** The functions above as script text for the page (same behaviour on both sides). */
export const CLIENT_FORMATTERS: string = [fmtCount, fmtDuration, fmtBytes, fmtPct, fmtValue].map((f) => f.toString()).join('\n');
