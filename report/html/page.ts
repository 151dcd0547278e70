/**
 * The report page: one self-contained HTML file (inline CSS, inline script, inline SVG,
 * the report data embedded as JSON). Nothing is fetched when it opens, so it works from
 * file:// and offline. The static parts (header, notes, benchmark plots) are written
 * here; the script renders the rest from the embedded data.
 */
import { readFileSync } from 'node:fs';
import type { RegisterView, ReportJson, TableView } from '../types.ts';
import { CHART_DEFS, barChart, chartGroups, targetMet } from './charts.ts';
import { esc, scriptJson } from './escape.ts';
import { CLIENT_FORMATTERS, fmtCount, fmtValue } from './format.ts';

const asset = (name: string): string => readFileSync(new URL(name, import.meta.url), 'utf8');

function benchmarksSection(r: ReportJson): string {
  const b = r.benchmarks;
  if (!b.available) return `<p class="muted">⚠ Not available: ${esc(b.reason)}.</p>`;
  if (b.entries.length === 0) return `<p class="muted">${esc(b.file)} holds no benchmark result.</p>`;
  const groups = chartGroups(b.entries);
  const charts = groups.map((g, i) => `<div class="chart-box"><h3>${esc(g.group)} <span class="muted">· ${esc(g.unit)}</span></h3>${barChart(g, `chart-${i}`)}</div>`).join('');
  const rows = b.entries.map((e) => {
    const met = targetMet(e);
    return `<tr><td>${esc(e.group)}</td><td>${esc(e.name)}</td><td class="num">${esc(fmtValue(e.value, e.unit))}</td><td class="num">${e.target ? esc(`${e.target.op} ${fmtValue(e.target.value, e.unit)}`) : '—'}</td><td>${met === undefined ? '—' : met ? '<span class="ok">✓ met</span>' : '<span class="bad">✗ missed</span>'}</td><td class="muted small">${esc(e.note ?? '')}</td></tr>`;
  }).join('');
  return `<div class="legend"><span>Bars: measured value (label gives value and unit)</span><span>┆ dashed line: target</span><span>✓ target met · ✗ target missed (hatched bar)</span></div>
    <div class="charts">${charts}</div>
    <details><summary>All figures as a table (${esc(fmtCount(b.entries.length, 'result'))}, from <code>${esc(b.file)}</code>)</summary>
    <table class="compact"><thead><tr><th>group</th><th>benchmark</th><th class="num">value</th><th class="num">target</th><th>status</th><th>note</th></tr></thead><tbody>${rows}</tbody></table></details>`;
}

/** A table of distinct values, each stored once; `add` returns a value's index. */
class Interned<T> {
  readonly values: T[] = [];
  private readonly index = new Map<string, number>();
  add(value: T): number {
    const key = JSON.stringify(value);
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(value);
      this.index.set(key, i);
    }
    return i;
  }
}

/**
 * The data as the page embeds it: the report with each case's clause list, each paging
 * view's decoded registers and each table entry's decoded flags replaced by indices into
 * `clauseSets`, `registerViews` and `entryFlags` (cases of one kind share them, so 20,000 cases need a few hundred
 * entries instead of 20,000). The page's script restores them on load.
 */
export function pageData(r: ReportJson): unknown {
  const clauseSets = new Interned<readonly string[]>();
  const registerViews = new Interned<RegisterView>();
  const entryFlags = new Interned<TableView['entries'][number]['flags']>();
  const cases = r.cases.map((c) => {
    const paging = c.detail?.paging;
    const detail = c.detail === undefined || paging === undefined
      ? c.detail
      : {
          ...c.detail,
          paging: {
            ...paging,
            registers: paging.registers.map((v) => registerViews.add(v)),
            tables: paging.tables.map((t) => ({ ...t, entries: t.entries.map((e) => ({ ...e, flags: entryFlags.add(e.flags) })) })),
          },
        };
    return { ...c, clauses: clauseSets.add(c.clauses), ...(detail !== undefined ? { detail } : {}) };
  });
  return { ...r, cases, clauseSets: clauseSets.values, registerViews: registerViews.values, entryFlags: entryFlags.values };
}

export function renderHtml(r: ReportJson): string {
  const cases = r.cases.length;
  const failing = r.runs.reduce((n, run) => n + run.counts.fail + run.counts.error, 0);
  const title = `x64spec report — ${fmtCount(r.runs.length, 'implementation')}, ${fmtCount(cases, 'case')}${failing ? `, ${failing.toLocaleString('en-US')} failing` : ''}`;
  const notes = r.notes.length
    ? `<section class="panel notes" id="notes"><h2>⚠ Notes</h2><ul>${r.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul></section>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="x64spec ${esc(r.x64specVersion)}">
<title>${esc(title)}</title>
<style>${asset('style.css')}</style>
</head>
<body>
${CHART_DEFS}
<header class="top">
  <div class="brand">x64spec <span>conformance report</span></div>
  <nav aria-label="sections"><a href="#summary">Summary</a><a href="#clauses">Clauses</a><a href="#cases">Cases</a><a href="#coverage">Coverage</a><a href="#benchmarks">Benchmarks</a></nav>
  <div class="meta">generated ${esc(r.generatedAt)}<br>x64spec ${esc(r.x64specVersion)} · ${esc(fmtCount(r.sources.length, 'results file'))}</div>
</header>
<main>
${notes}
<section class="panel" id="summary"><h2>Summary</h2><div id="summary-body"><noscript>This report needs JavaScript to render its tables; the same data is in report.json.</noscript></div></section>
<section class="panel" id="clauses"><h2>Clause matrix</h2>
  <p class="muted small">Rows are clauses grouped by area and topic; columns are implementations. A cell counts the cases citing the clause: ✗ failed, ⚠ error, ✓ passed, ⊘ unsupported; it links to those cases. ⚑ flags a clause no vector cites or no test names.</p>
  <div class="toolbar">
    <label>show<select id="matrix-show"><option value="all">all clauses</option><option value="failing">✗ with failures or errors</option><option value="uncovered">⚑ uncovered</option></select></label>
    <label>find<input id="matrix-q" type="search" placeholder="id, title or source"></label>
    <span class="count-line" id="matrix-count"></span>
  </div>
  <div class="matrix-wrap" id="matrix"></div>
</section>
<section class="panel" id="cases"><h2>Cases</h2>
  <div class="toolbar" role="search">
    <label>implementation<select id="f-run"></select></label>
    <label>suite<select id="f-suite"></select></label>
    <label>verdict<select id="f-verdict"></select></label>
    <label>clause (id or prefix)<input id="f-clause" list="clause-ids" placeholder="e.g. PG.PERM"></label>
    <label>search id or title<input id="f-q" type="search" placeholder="e.g. pg-0001"></label>
    <button type="button" id="f-reset">Reset filters</button>
  </div>
  <datalist id="clause-ids"></datalist>
  <div class="count-line" id="case-count" aria-live="polite"></div>
  <div id="case-list"></div>
  <div class="pager"><button type="button" id="pg-first">« first</button><button type="button" id="pg-prev">‹ previous</button><span id="page-info" class="count-line"></span><button type="button" id="pg-next">next ›</button><button type="button" id="pg-last">last »</button></div>
</section>
<section class="panel" id="case" hidden></section>
<section class="panel" id="coverage"><h2>Coverage</h2><div id="coverage-body"></div></section>
<section class="panel" id="benchmarks"><h2>Benchmarks</h2>${benchmarksSection(r)}</section>
</main>
<script type="application/json" id="report-data">${scriptJson(pageData(r))}</script>
<script>
${CLIENT_FORMATTERS}
${asset('client.js')}
</script>
</body>
</html>
`;
}
