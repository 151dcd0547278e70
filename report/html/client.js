// The report page's script. It reads the embedded report data (the same object as
// out/report.json) and renders the summary, the clause matrix, the paged case list with
// its filters, the case view and the coverage tables. No network, no libraries: it works
// from file://. fmtCount/fmtDuration/fmtBytes/fmtPct/fmtValue come from report/html/format.ts,
// embedded just before this script.
'use strict';

const R = JSON.parse(document.getElementById('report-data').textContent);
// The page embeds shared parts once (report/html/page.ts pageData): each case's clause
// list is an index into R.clauseSets, each decoded register an index into R.registerViews,
// each table entry's flags an index into R.entryFlags.
for (const c of R.cases) {
  c.clauses = R.clauseSets[c.clauses];
  if (c.detail && c.detail.paging) {
    c.detail.paging.registers = c.detail.paging.registers.map((i) => R.registerViews[i]);
    for (const t of c.detail.paging.tables) for (const e of t.entries) e.flags = R.entryFlags[e.flags];
  }
}
const PAGE_SIZE = 100;
const ICON = { pass: '✓', fail: '✗', unsupported: '⊘', error: '⚠' };
const WORD = { pass: 'pass', fail: 'fail', unsupported: 'unsupported', error: 'error' };
const VERDICTS = ['pass', 'fail', 'unsupported', 'error'];
const AREA_NAMES = { PG: 'Paging', ELF: 'ELF loading', UEFI: 'UEFI exit flow', HANDOFF: 'Kernel hand-off' };

const $ = (sel, root) => (root || document).querySelector(sel);
function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
const badge = (v) => `<span class="v v-${v}" data-verdict="${v}">${ICON[v]} ${WORD[v]}</span>`;
const implName = (run) => `${run.impl.name} ${run.impl.version}`;
const total = (c) => c.pass + c.fail + c.unsupported + c.error;
const show = (v) => (v === undefined ? '—' : typeof v === 'string' ? v : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v.length === 1 ? v[0] : 'one of ' + v.join(', ')) : JSON.stringify(v));

// Index cases by run and id for the case view.
const caseIndex = new Map();
// Per-case times exist only when an adapter measures them; without any, no time column.
const timed = R.cases.some((c) => c.durationMs !== undefined);
R.cases.forEach((c, i) => caseIndex.set(c.run + '\u0000' + c.id, i));

// ── Summary ────────────────────────────────────────────────────────────────────────
function machineText(m) {
  return `${m.cpuModel}, ${fmtCount(m.cpus, 'CPU')}, ${fmtBytes(m.memoryBytes)} RAM, ${m.platform}/${m.arch}, Node ${m.node}`;
}

function renderSummary() {
  const cards = R.runs.map((run) => {
    const n = total(run.counts);
    const stack = VERDICTS.filter((v) => run.counts[v] > 0)
      .map((v) => `<span class="s-${v}" style="width:${(100 * run.counts[v]) / Math.max(1, n)}%" title="${fmtCount(run.counts[v], 'case')} ${WORD[v]}"></span>`).join('');
    const suites = Object.keys(run.countsBySuite);
    const rows = suites.map((s) => {
      const c = run.countsBySuite[s];
      return `<tr><td>${esc(s)}</td>${VERDICTS.map((v) => `<td class="num"><a href="#cases?run=${run.index}&suite=${s}&verdict=${v}">${c[v].toLocaleString('en-US')}</a></td>`).join('')}<td class="num">${total(c).toLocaleString('en-US')}</td></tr>`;
    }).join('');
    const bad = run.counts.fail + run.counts.error > 0;
    const details = Object.entries(run.impl.details || {}).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('');
    return `<article class="run ${bad ? 'has-fail' : n > 0 && run.counts.pass === n ? 'all-pass' : ''}" data-run="${run.index}">
      <h3>${bad ? '<span class="bad" aria-hidden="true">✗</span>' : '<span class="ok" aria-hidden="true">✓</span>'} ${esc(implName(run))}</h3>
      <div class="sub">${esc(run.impl.kind)} · <code>${esc(run.impl.spec)}</code></div>
      <div class="bigcounts">${VERDICTS.map((v) => `<a href="#cases?run=${run.index}&verdict=${v}" class="v v-${v}" data-count="${v}">${ICON[v]} ${run.counts[v].toLocaleString('en-US')} ${WORD[v]}</a>`).join('')}</div>
      ${run.deviations ? `<div class="small muted">≈ ${fmtCount(run.deviations, 'case')} ${run.deviations === 1 ? 'is a' : 'are'} documented deviation${run.deviations === 1 ? '' : 's'} (spec/deviations)</div>` : ''}
      <div class="stack" role="img" aria-label="${VERDICTS.map((v) => `${run.counts[v]} ${WORD[v]}`).join(', ')}">${stack}</div>
      <table class="compact"><thead><tr><th>suite</th>${VERDICTS.map((v) => `<th class="num">${ICON[v]} ${WORD[v]}</th>`).join('')}<th class="num">total</th></tr></thead>
      <tbody>${rows}</tbody><tfoot><tr><th colspan="5" class="muted">counts are numbers of cases (vectors)</th><th class="num">${fmtCount(n, 'case')}</th></tr></tfoot></table>
      <dl class="kv">
        <dt>duration</dt><dd>${fmtDuration(run.durationMs)}${run.shards > 1 ? ` <span class="muted">(sum over ${fmtCount(run.shards, 'results file')})</span>` : ''}${run.caseTimeMs !== undefined ? ` · cases ${fmtDuration(run.caseTimeMs)}` : ''}</dd>
        <dt>started</dt><dd>${esc(run.startedAt)}</dd>
        <dt>seed</dt><dd>${run.seeds.length ? run.seeds.map((s) => `<code>${s}</code>`).join(', ') : '<span class="muted">none (no generated cases)</span>'}</dd>
        <dt>results files</dt><dd>${fmtCount(run.shards, 'file')}</dd>
        <dt>machine</dt><dd>${run.machines.map((m) => esc(machineText(m))).join('<br>')}</dd>
        ${run.impl.profile ? `<dt>profile</dt><dd>MAXPHYADDR ${run.impl.profile.maxphyaddr} bits; ${esc(run.impl.profile.features.join(', ') || 'no features')}</dd>` : ''}
        ${details}
      </dl>
      ${run.stderr ? `<details><summary>stderr (${fmtCount(run.stderr.split('\n').length, 'line')})</summary><pre>${esc(run.stderr)}</pre></details>` : ''}
    </article>`;
  }).join('');
  const sources = R.sources.map((s) => `<tr><td><code>${esc(s.file)}</code></td><td>${s.shard ? `${s.shard.index}/${s.shard.count}` : '—'}</td><td>${s.seed !== undefined ? s.seed : '—'}</td><td class="num">${fmtDuration(s.durationMs)}</td><td><code>${esc(s.command.join(' '))}</code></td><td>${esc(s.x64specVersion)}</td></tr>`).join('');
  $('#summary-body').innerHTML = `<div class="runs">${cards || '<p class="muted">The results hold no implementation run.</p>'}</div>
    <h3>Results files</h3>
    <table class="compact"><thead><tr><th>file</th><th>shard</th><th>seed</th><th class="num">duration</th><th>command</th><th>x64spec</th></tr></thead><tbody>${sources}</tbody></table>`;
}

// ── Clause matrix ──────────────────────────────────────────────────────────────────
function cellHtml(row, r) {
  const c = row.cells[r];
  const n = total(c);
  if (n === 0) return `<td class="cell c-none" title="no case of this implementation cites the clause">—</td>`;
  const cls = c.fail + c.error > 0 ? 'c-fail' : c.pass === n ? 'c-pass' : 'c-other';
  const parts = [];
  if (c.fail) parts.push(`${ICON.fail} ${c.fail}`);
  if (c.error) parts.push(`${ICON.error} ${c.error}`);
  // '✓ 0' only beside failures (it says none passed); a cell of only unsupported cases shows just ⊘.
  if (c.pass > 0 || c.fail + c.error > 0) parts.push(`${ICON.pass} ${c.pass}`);
  if (c.unsupported) parts.push(`${ICON.unsupported} ${c.unsupported}`);
  const title = `${c.pass} passed, ${c.fail} failed, ${c.unsupported} unsupported, ${c.error} errors (cases)`;
  const verdict = c.fail ? '&verdict=fail' : c.error ? '&verdict=error' : '';
  return `<td class="cell ${cls}" data-run="${r}"><a href="#cases?run=${r}&clause=${encodeURIComponent(row.id)}${verdict}" title="${title}">${parts.join(' · ')}</a></td>`;
}

function renderMatrix() {
  const mode = $('#matrix-show').value;
  const q = $('#matrix-q').value.trim().toLowerCase();
  const head = `<thead><tr><th>clause</th><th>title · source</th><th class="num">vectors</th><th class="num">properties</th>${R.runs.map((r) => `<th class="impl">${esc(implName(r))}</th>`).join('')}</tr></thead>`;
  let body = '';
  let area = null;
  let topic = null;
  let shown = 0;
  for (const row of R.clauses) {
    const failing = row.cells.some((c) => c.fail + c.error > 0);
    if (mode === 'failing' && !failing) continue;
    if (mode === 'uncovered' && row.uncovered.length === 0) continue;
    if (q && !(row.id.toLowerCase().includes(q) || row.title.toLowerCase().includes(q) || row.source.toLowerCase().includes(q))) continue;
    shown++;
    if (row.area !== area) {
      area = row.area;
      topic = null;
      body += `<tr class="area"><th colspan="${4 + R.runs.length}">${esc(AREA_NAMES[area] || area)} <span class="muted">(${esc(area)})</span></th></tr>`;
    }
    if (row.topic !== topic) {
      topic = row.topic;
      body += `<tr class="topic"><td colspan="${4 + R.runs.length}">${esc(area)}.${esc(topic)}</td></tr>`;
    }
    const flags = row.uncovered.map((u) => `<span class="flag" title="${u === 'no-vector' ? 'no vector cites this clause' : 'no test or property names this clause'}">⚑ ${u === 'no-vector' ? 'no vector' : 'no property'}</span>`).join('');
    const props = row.properties.length
      ? `<span title="${esc(row.properties.slice(0, 12).map((p) => `${p.file}:${p.line}${p.name ? ' ' + p.name : ''}`).join('\n'))}">${row.properties.length}</span>`
      : '0';
    body += `<tr id="clause-${esc(row.id)}" class="${row.uncovered.length ? 'uncovered' : ''}" data-clause="${esc(row.id)}">
      <td><span class="cid">${esc(row.id)}</span>${flags}${row.registered ? '' : '<span class="flag">⚑ not in registry</span>'}</td>
      <td title="${esc(row.summary)}">${esc(row.title)}<div class="muted small">${esc(row.source)}</div></td>
      <td class="num">${row.vectors}</td><td class="num">${props}</td>
      ${R.runs.map((_, r) => cellHtml(row, r)).join('')}</tr>`;
  }
  $('#matrix').innerHTML = `<table class="matrix">${head}<tbody>${body}</tbody></table>`;
  $('#matrix-count').textContent = `${fmtCount(shown, 'clause')} shown of ${fmtCount(R.clauses.length, 'clause')}`;
}

// ── Case list ──────────────────────────────────────────────────────────────────────
const filters = { run: '', suite: '', verdict: '', clause: '', q: '', page: 0 };
let listHash = '#cases';

function parseQuery(hash) {
  const i = hash.indexOf('?');
  const out = {};
  if (i < 0) return out;
  for (const part of hash.slice(i + 1).split('&')) {
    if (!part) continue;
    const [k, v = ''] = part.split('=');
    out[decodeURIComponent(k)] = decodeURIComponent(v.replace(/\+/g, ' '));
  }
  return out;
}

function filterHash() {
  const parts = [];
  for (const k of ['run', 'suite', 'verdict', 'clause', 'q']) if (filters[k] !== '') parts.push(`${k}=${encodeURIComponent(filters[k])}`);
  if (filters.page > 0) parts.push(`page=${filters.page + 1}`);
  return '#cases' + (parts.length ? '?' + parts.join('&') : '');
}

function matches(c) {
  if (filters.run !== '' && String(c.run) !== filters.run) return false;
  if (filters.suite !== '' && c.suite !== filters.suite) return false;
  if (filters.verdict === 'not-pass') {
    if (c.verdict === 'pass') return false;
  } else if (filters.verdict !== '' && c.verdict !== filters.verdict) return false;
  if (filters.clause !== '') {
    const want = filters.clause.toUpperCase();
    if (!c.clauses.some((id) => id === want || id.startsWith(want + '.'))) return false;
  }
  if (filters.q !== '') {
    const q = filters.q.toLowerCase();
    if (!c.id.toLowerCase().includes(q) && !c.title.toLowerCase().includes(q)) return false;
  }
  return true;
}

function syncControls() {
  $('#f-run').value = filters.run;
  $('#f-suite').value = filters.suite;
  $('#f-verdict').value = filters.verdict;
  $('#f-clause').value = filters.clause;
  $('#f-q').value = filters.q;
}

function renderList() {
  const hits = [];
  for (let i = 0; i < R.cases.length; i++) if (matches(R.cases[i])) hits.push(i);
  const pages = Math.max(1, Math.ceil(hits.length / PAGE_SIZE));
  if (filters.page >= pages) filters.page = pages - 1;
  const from = filters.page * PAGE_SIZE;
  const slice = hits.slice(from, from + PAGE_SIZE);
  const rows = slice.map((i) => {
    const c = R.cases[i];
    const run = R.runs[c.run];
    // The broken clauses of a failure first; otherwise the last ones, which the walk
    // reached last and are the most specific (the first are the generic walk steps).
    const broken = c.detail && c.detail.diff ? [...new Set(c.detail.diff.map((d) => d.clause).filter(Boolean))] : [];
    const shown = broken.length ? broken.slice(0, 3) : c.clauses.slice(-3);
    const more = c.clauses.length - shown.length;
    const chips = (more > 0 ? `<span class="chip" title="${esc(c.clauses.join('\n'))}">+${more}</span>` : '') + shown.map((id) => `<span class="chip${broken.length ? ' broken' : ''}">${broken.length ? '✗ ' : ''}${esc(id)}</span>`).join('');
    return `<tr tabindex="0" data-case="${i}" data-id="${esc(c.id)}" data-verdict="${c.verdict}"><td>${badge(c.verdict)}</td><td class="mono nowrap">${esc(c.id)}</td><td>${esc(run ? run.impl.name : '?')}</td><td>${esc(c.suite)}</td><td class="t" title="${esc(c.title)}">${esc(c.title)}${c.reason && c.verdict !== 'pass' ? `<div class="muted small">${esc(c.reason.slice(0, 160))}</div>` : ''}${c.deviation ? `<div class="small"><span class="flag" title="a documented deviation (spec/deviations)">≈ deviation ${esc(c.deviation)}</span></div>` : ''}</td><td><div class="chips">${chips}</div></td>${timed ? `<td class="num">${c.durationMs !== undefined ? fmtDuration(c.durationMs) : '—'}</td>` : ''}</tr>`;
  }).join('');
  $('#case-list').innerHTML = hits.length
    ? `<table class="cases"><thead><tr><th>verdict</th><th>id</th><th>implementation</th><th>suite</th><th>title</th><th>clauses</th>${timed ? '<th class="num">time</th>' : ''}</tr></thead><tbody>${rows}</tbody></table>`
    : '<p class="muted">No case matches these filters.</p>';
  $('#case-count').textContent = hits.length
    ? `showing ${(from + 1).toLocaleString('en-US')}–${(from + slice.length).toLocaleString('en-US')} of ${fmtCount(hits.length, 'case')}${hits.length !== R.cases.length ? ` (filtered from ${fmtCount(R.cases.length, 'case')})` : ''}`
    : `0 cases of ${fmtCount(R.cases.length, 'case')}`;
  $('#page-info').textContent = `page ${filters.page + 1} of ${pages}`;
  $('#pg-first').disabled = $('#pg-prev').disabled = filters.page === 0;
  $('#pg-next').disabled = $('#pg-last').disabled = filters.page >= pages - 1;
  $('#pg-last').dataset.last = String(pages - 1);
}

function setFiltersFromControls() {
  filters.run = $('#f-run').value;
  filters.suite = $('#f-suite').value;
  filters.verdict = $('#f-verdict').value;
  filters.clause = $('#f-clause').value.trim();
  filters.q = $('#f-q').value.trim();
  filters.page = 0;
  listHash = filterHash();
  history.replaceState(null, '', listHash);
  renderList();
}

function initFilters() {
  $('#f-run').innerHTML = '<option value="">all implementations</option>' + R.runs.map((r) => `<option value="${r.index}">${esc(implName(r))}</option>`).join('');
  const suites = [...new Set(R.cases.map((c) => c.suite))];
  $('#f-suite').innerHTML = '<option value="">all suites</option>' + suites.map((s) => `<option value="${s}">${s}</option>`).join('');
  $('#f-verdict').innerHTML = '<option value="">all verdicts</option><option value="not-pass">✗⚠⊘ not passed</option>' + VERDICTS.map((v) => `<option value="${v}">${ICON[v]} ${v}</option>`).join('');
  $('#clause-ids').innerHTML = R.clauses.map((c) => `<option value="${esc(c.id)}">${esc(c.title)}</option>`).join('');
  for (const id of ['#f-run', '#f-suite', '#f-verdict']) $(id).addEventListener('change', setFiltersFromControls);
  let timer = 0;
  for (const id of ['#f-clause', '#f-q']) {
    $(id).addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(setFiltersFromControls, 120); });
    $(id).addEventListener('change', setFiltersFromControls);
  }
  $('#f-reset').addEventListener('click', () => {
    Object.assign(filters, { run: '', suite: '', verdict: '', clause: '', q: '', page: 0 });
    syncControls();
    setFiltersFromControls();
  });
  const go = (page) => { filters.page = page; listHash = filterHash(); history.replaceState(null, '', listHash); renderList(); };
  $('#pg-first').addEventListener('click', () => go(0));
  $('#pg-prev').addEventListener('click', () => go(Math.max(0, filters.page - 1)));
  $('#pg-next').addEventListener('click', () => go(filters.page + 1));
  $('#pg-last').addEventListener('click', () => go(Number($('#pg-last').dataset.last)));
  const open = (tr) => {
    const c = R.cases[Number(tr.dataset.case)];
    location.hash = `#case?run=${c.run}&id=${encodeURIComponent(c.id)}`;
  };
  $('#case-list').addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-case]');
    if (tr) open(tr);
  });
  $('#case-list').addEventListener('keydown', (e) => {
    const tr = e.target.closest('tr[data-case]');
    if (tr && e.key === 'Enter') open(tr);
  });
  $('#matrix-show').addEventListener('change', renderMatrix);
  $('#matrix-q').addEventListener('input', renderMatrix);
}

// ── Case view ──────────────────────────────────────────────────────────────────────
const bitChips = (bits, other) => `<div class="bits">${bits.map((b, i) => {
  const differs = other && other[i] && other[i].value !== b.value;
  return `<span class="bit ${b.set ? 'on' : ''} ${differs ? 'diff' : ''}" title="bit${b.bits.includes(':') ? 's' : ''} ${b.bits}">${esc(b.name)}=${esc(b.value)}</span>`;
}).join('')}</div>`;
const mark = (ok) => (ok ? '<span class="ok nowrap">✓ matches</span>' : '<span class="bad nowrap">✗ differs</span>');
const clauseById = new Map(R.clauses.map((c) => [c.id, c]));
const clauseChip = (id) => {
  const c = clauseById.get(id);
  return `<a class="chip" href="#clause-${esc(id)}" title="${esc(c ? `${c.title} (${c.source}): ${c.summary}` : 'not in the registry')}">${esc(id)}</a>`;
};

function copyBlock(label, text, id) {
  return `<h3>${label}</h3><div class="copy-row"><pre id="${id}">${esc(text)}</pre><button type="button" data-copy="${id}">Copy</button></div>`;
}

function pagingHtml(p) {
  // Without an output (an error case) there is nothing to judge: no ✓ or ✗.
  const judged = (ok) => (p.observed ? mark(ok) : '<span class="muted nowrap">no output</span>');
  const outcome = p.outcome.map((r) => `<tr class="${r.ok || !p.observed ? '' : 'mismatch'}"><td>${esc(r.field)}</td><td class="mono">${esc(r.permitted)}${r.bits ? bitChips(r.bits.permitted) : ''}</td><td class="mono">${esc(r.observed)}${r.bits ? bitChips(r.bits.observed, r.bits.permitted) : ''}</td><td>${judged(r.ok)}</td></tr>`).join('');
  const memory = p.memory.map((m) => `<tr class="${m.ok ? '' : 'mismatch'}"><td class="mono">${esc(m.pa)}</td><td class="mono">${esc(m.input)}</td><td class="mono">${m.permitted.map(esc).join('<br>')}</td><td class="mono">${m.observed !== undefined ? esc(m.observed) : '—'}${m.differs ? `<div class="small bad">${esc(m.differs)}</div>` : ''}</td><td>${m.observed === undefined ? (p.observed ? '<span class="bad nowrap">✗ not reported</span>' : '<span class="muted nowrap">no output</span>') : mark(m.ok)}</td></tr>`).join('');
  const regs = p.registers.map((r) => `<div class="reg"><div class="name">${esc(r.name)}</div><div class="mono">${esc(r.value)}</div>${r.bits.length ? bitChips(r.bits) : '<div class="muted small">no bit set</div>'}</div>`).join('');
  const idx = p.access.indices;
  let walk;
  if (p.tables.length) {
    const vaBits = { 4: '47:39', 3: '38:30', 2: '29:21', 1: '20:12' };
    walk = `<div class="walk"><div class="tbl"><div class="th">CR3 = <span class="mono">${esc(p.registers[1].value)}</span> <span class="muted">(PML4 table base)</span></div></div>` + p.tables.map((t) => `<div class="arrow" aria-hidden="true">↓</div><div class="tbl"><div class="th">${esc(t.levelName.replace(/E$/, ''))} table <span class="muted">@ ${esc(t.base)} · index ${t.index} (linear-address bits ${vaBits[t.level]})</span></div>${t.entries.map((e) => `<div class="e ${e.selected ? 'sel' : ''}"><span class="mono">${e.selected ? '▶ used: ' : ''}[${e.index}] @ ${esc(e.pa)} = ${esc(e.value)}</span>${e.selected ? bitChips(e.flags) : ''}</div>`).join('')}</div>`).join('') + '</div>';
  } else walk = `<p class="muted">No walk path: ${'unavailable' in p.trace ? esc(p.trace.unavailable) : 'the walk read no entry (the access never reached the tables)'}.</p>`;
  const trace = 'unavailable' in p.trace
    ? `<p class="muted">${esc(p.trace.unavailable)}</p>`
    : `<ol>${p.trace.steps.map((s) => `<li><b>${esc(s.levelName)}</b> at <span class="mono">${esc(s.entryPa)}</span> = <span class="mono">${esc(s.entry)}</span> — ${esc(s.note)} <span class="chips">${s.clauses.map(clauseChip).join('')}</span></li>`).join('')}
       <li><b>Outcome</b>: ${esc(p.trace.outcome)} <span class="chips">${p.trace.clauses.map(clauseChip).join('')}</span></li></ol>`;
  return `<div class="grid2">
      <div><h3>Permitted vs observed outcome</h3><table class="diff compact"><thead><tr><th>field</th><th>permitted</th><th>observed</th><th></th></tr></thead><tbody>${outcome}</tbody></table></div>
      <div><h3>Memory (every qword of the input)</h3><table class="diff compact"><thead><tr><th>physical address</th><th>input</th><th>permitted final values</th><th>observed</th><th></th></tr></thead><tbody>${memory}</tbody></table></div>
    </div>
    <h3>Access</h3><p><b>${esc(p.access.kind)}</b> at <span class="mono">${esc(p.access.va)}</span>, CPL ${esc(p.access.cpl)}${p.access.implicit ? ', implicit supervisor access' : ''}; table indices PML4 ${idx[0]} · PDPT ${idx[1]} · PD ${idx[2]} · PT ${idx[3]}; MAXPHYADDR ${esc(p.cpu.maxphyaddr)}; features ${esc(p.cpu.features.join(', ') || 'none')}</p>
    <h3>Walk path (tables as the model read them)</h3>${walk}
    <h3>Model's walk trace, with the clause deciding each step</h3><div class="trace">${trace}</div>
    <h3>Registers</h3><div class="regs">${regs}</div>`;
}

// JSON paths in the `$.a.b[3]["odd key"]` form of the harness's diffs (vectors/io/json-path.ts).
const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const childPath = (parent, key) => (typeof key === 'number' ? `${parent}[${key}]` : IDENT.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`);

/** Pretty-printed JSON as HTML, with the values at the `marks` paths marked (✗ and colour). */
function jsonHtml(v, path, marks, indent) {
  const inner = indent + '  ';
  let body;
  if (Array.isArray(v)) {
    body = v.length === 0 ? '[]' : `[\n${v.map((x, i) => inner + jsonHtml(x, childPath(path, i), marks, inner)).join(',\n')}\n${indent}]`;
  } else if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    body = keys.length === 0 ? '{}' : `{\n${keys.map((k) => `${inner}${esc(JSON.stringify(k))}: ${jsonHtml(v[k], childPath(path, k), marks, inner)}`).join(',\n')}\n${indent}}`;
  } else body = esc(JSON.stringify(v));
  return marks.has(path) ? `<mark class="jd" title="${esc(path)} differs">✗ ${body}</mark>` : body;
}

function renderCase(runIndex, id) {
  const sec = $('#case');
  const i = caseIndex.get(runIndex + '\u0000' + id);
  if (i === undefined) {
    sec.hidden = false;
    sec.innerHTML = `<p class="bad">✗ No case ${esc(id)} for implementation ${esc(runIndex)} in this report.</p>`;
    return;
  }
  const c = R.cases[i];
  const run = R.runs[c.run];
  const d = c.detail;
  let html = `<div class="case-head">${badge(c.verdict)}<h2 class="mono">${esc(c.id)}</h2><span>${esc(c.title)}</span><a href="${esc(listHash)}" style="margin-left:auto">← back to the list</a></div>
    <dl class="kv">
      <dt>implementation</dt><dd>${esc(implName(run))} <span class="muted">(${esc(run.impl.kind)}, <code>${esc(run.impl.spec)}</code>)</span></dd>
      <dt>suite</dt><dd>${esc(c.suite)}</dd>
      <dt>vector</dt><dd><code>${esc(c.source.file)}:${c.source.line}</code></dd>
      <dt>time</dt><dd>${c.durationMs !== undefined ? fmtDuration(c.durationMs) : '—'}</dd>
      <dt>clauses</dt><dd><span class="chips">${c.clauses.map(clauseChip).join('') || '—'}</span></dd>
      ${c.reason ? `<dt>reason</dt><dd>${esc(c.reason)}</dd>` : ''}
      ${c.deviation ? `<dt>documented deviation</dt><dd>${esc(c.deviation)}</dd>` : ''}
    </dl>`;
  if (!d) {
    html += '<p class="muted">Results keep inputs only for failing and erroring cases; this one has nothing more to show.</p>';
  } else {
    if (d.diff && d.diff.length) {
      html += `<h3>Differences (${fmtCount(d.diff.length, 'difference')})</h3><table class="diff compact" id="case-diff"><thead><tr><th>path</th><th>permitted</th><th>observed</th><th>clause broken</th></tr></thead><tbody>${d.diff.map((x) => `<tr class="mismatch"><td class="mono">${esc(x.path)}</td><td class="mono exp">${esc(show(x.expected))}</td><td class="mono obs">${esc(show(x.observed))}</td><td>${x.clause ? clauseChip(x.clause) : '—'}</td></tr>`).join('')}</tbody></table>`;
    }
    if (d.paging) html += pagingHtml(d.paging);
    else if (d.expect !== undefined || d.observed !== undefined) {
      const marks = new Set((d.diff || []).map((x) => x.path));
      html += `<div class="grid2"><div><h3>Expected (permitted)</h3><pre class="json">${d.expect === undefined ? '—' : jsonHtml(d.expect, '$', marks, '')}</pre></div><div><h3>Observed <span class="muted small">(differences marked ✗)</span></h3><pre class="json">${d.observed === undefined ? '— (no output)' : jsonHtml(d.observed, '$', marks, '')}</pre></div></div>`;
    }
    html += copyBlock('Replay this case', d.replay, 'copy-replay');
    if (d.vectorLine) html += copyBlock('Vector line', d.vectorLine, 'copy-vector');
    if (d.input) html += `<details><summary>Input as JSON</summary><pre>${esc(JSON.stringify(d.input, null, 2))}</pre></details>`;
  }
  sec.innerHTML = html;
  sec.hidden = false;
}

document.addEventListener('click', (e) => {
  const b = e.target.closest('button[data-copy]');
  if (!b) return;
  const text = document.getElementById(b.dataset.copy).textContent;
  const done = () => { b.textContent = 'Copied ✓'; setTimeout(() => { b.textContent = 'Copy'; }, 1500); };
  if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, () => fallbackCopy(text, done));
  else fallbackCopy(text, done);
});

function fallbackCopy(text, done) {
  const ta = document.createElement('textarea');
  ta.value = text;
  document.body.appendChild(ta);
  ta.select();
  try { document.execCommand('copy'); done(); } catch { /* the text stays selectable in the page */ }
  ta.remove();
}

// ── Coverage ───────────────────────────────────────────────────────────────────────
function meter(pct) {
  return `<div class="meter" role="img" aria-label="${fmtPct(pct)}"><span style="width:${Math.min(100, pct)}%"></span></div>`;
}

function renderCoverage() {
  const cc = R.clauseCoverage;
  const pct = (n) => (cc.clauses ? (100 * n) / cc.clauses : 0);
  const card = (label, n) => `<div class="cov-card"><div class="muted small">${label}</div><div class="big">${fmtPct(pct(n))}</div><div class="small">${n.toLocaleString('en-US')} of ${fmtCount(cc.clauses, 'clause')}</div>${meter(pct(n))}</div>`;
  const uncovered = R.clauses.filter((c) => c.registered && c.uncovered.length);
  let html = `<h3>Clause coverage</h3><div class="cov-cards">${card('with at least one vector', cc.withVector)}${card('with at least one test or property', cc.withProperty)}${card('with both', cc.withBoth)}</div>
    <p class="muted small">Properties per clause: ${esc(cc.propertySource)}.</p>`;
  if (uncovered.length) {
    html += `<details><summary>⚑ ${fmtCount(uncovered.length, 'uncovered clause')}</summary><table class="compact"><thead><tr><th>clause</th><th>title</th><th>missing</th></tr></thead><tbody>${uncovered.map((c) => `<tr><td><a class="cid" href="#clause-${esc(c.id)}">${esc(c.id)}</a></td><td>${esc(c.title)}</td><td>${c.uncovered.map((u) => (u === 'no-vector' ? '⚑ no vector' : '⚑ no property')).join(', ')}</td></tr>`).join('')}</tbody></table></details>`;
  }
  const code = R.codeCoverage;
  html += '<h3>Code coverage</h3>';
  if (!code.available) html += `<p class="muted">⚠ Not available: ${esc(code.reason)}.</p>`;
  else {
    const kinds = ['lines', 'statements', 'functions', 'branches'];
    const unit = { lines: 'line', statements: 'statement', functions: 'function', branches: 'branch' };
    html += `<div class="cov-cards">${kinds.map((k) => `<div class="cov-card"><div class="muted small">${k}</div><div class="big">${fmtPct(code.total[k].pct)}</div><div class="small">${code.total[k].covered.toLocaleString('en-US')} of ${fmtCount(code.total[k].total, unit[k])}</div>${meter(code.total[k].pct)}</div>`).join('')}</div>`;
    html += `<p>${code.htmlIndex ? `<a href="${esc(code.htmlIndex)}">Open the full coverage report (per file, per line) →</a>` : '<span class="muted">The per-file HTML coverage report is not there.</span>'} <span class="muted small">Summary read from <code>${esc(code.summaryFile)}</code>.</span></p>`;
    html += `<table class="compact"><thead><tr><th>folder</th><th class="num">files</th>${kinds.map((k) => `<th class="num">${k}</th>`).join('')}<th>lines covered</th></tr></thead><tbody>${code.folders.map((f) => `<tr><td><code>${esc(f.folder)}</code></td><td class="num">${f.files}</td>${kinds.map((k) => `<td class="num" title="${f[k].covered} of ${f[k].total}">${fmtPct(f[k].pct)}</td>`).join('')}<td>${meter(f.lines.pct)}</td></tr>`).join('')}</tbody></table>`;
  }
  $('#coverage-body').innerHTML = html;
}

// ── Routing ────────────────────────────────────────────────────────────────────────
function route() {
  const h = decodeURIComponent(location.hash.split('?')[0]);
  const q = parseQuery(location.hash);
  if (h === '#cases') {
    filters.run = q.run || '';
    filters.suite = q.suite || '';
    filters.verdict = q.verdict || '';
    filters.clause = q.clause || '';
    filters.q = q.q || '';
    filters.page = q.page ? Math.max(0, Number(q.page) - 1) : 0;
    listHash = filterHash();
    syncControls();
    renderList();
    $('#case').hidden = true;
    $('#cases').scrollIntoView();
  } else if (h === '#case') {
    renderCase(q.run, q.id);
    $('#case').scrollIntoView();
  } else if (h.startsWith('#clause-')) {
    document.querySelectorAll('tr.target-row').forEach((tr) => tr.classList.remove('target-row'));
    let tr = document.getElementById(h.slice(1));
    if (!tr) {
      $('#matrix-show').value = 'all';
      $('#matrix-q').value = '';
      renderMatrix();
      tr = document.getElementById(h.slice(1));
    }
    if (tr) { tr.classList.add('target-row'); tr.scrollIntoView({ block: 'center' }); }
  }
}

renderSummary();
initFilters();
renderMatrix();
renderList();
renderCoverage();
window.addEventListener('hashchange', route);
if (location.hash) route();
document.body.dataset.ready = 'true';
