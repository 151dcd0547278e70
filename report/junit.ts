/**
 * JUnit XML (`out/junit.xml`): one <testcase> per vector, one <testsuite> per
 * implementation and suite, in the shape the Jenkins/Ant JUnit schema describes (the one
 * GitLab, GitHub Actions reporters, Jenkins and Azure read). `fail` becomes <failure>,
 * `error` becomes <error>, `unsupported` becomes <skipped>; each carries a message.
 */
import type { DiffEntry } from '../harness/results.ts';
import type { JsonValue } from '../harness/types.ts';
import type { CaseRow, ReportJson, RunSummary } from './types.ts';

/** Characters XML 1.0 cannot carry at all (C0 controls other than tab, LF, CR; U+FFFE/FFFF; lone surrogates). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function xmlEscape(text: string): string {
  return text
    .replace(NOT_XML, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const attrs = (a: Record<string, string | number>): string =>
  Object.entries(a).map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`).join('');

/** Seconds with millisecond precision, the form the schema's time pattern accepts. */
const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/** `YYYY-MM-DDTHH:MM:SS` without zone, as the schema's timestamp wants. */
function timestamp(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '1970-01-01T00:00:00' : d.toISOString().slice(0, 19);
}

/** A permitted set of strings reads as `one of a, b` (a single one as itself), as the page shows it. */
const showValue = (v: JsonValue): string => {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v.length === 1 ? (v[0] as string) : `one of ${v.join(', ')}`;
  return JSON.stringify(v);
};

/** One line per difference: where, what was permitted, what was seen, which clause. */
export function diffLine(d: DiffEntry): string {
  return `${d.path}: expected ${showValue(d.expected)}, observed ${showValue(d.observed)}${d.clause ? ` (${d.clause})` : ''}`;
}

function failureMessage(c: CaseRow): string {
  const first = c.detail?.diff?.[0];
  if (first !== undefined) {
    const more = (c.detail?.diff?.length ?? 1) - 1;
    return diffLine(first) + (more > 0 ? ` (+${more} more difference${more > 1 ? 's' : ''})` : '');
  }
  return c.reason ?? `${c.verdict} without a recorded reason`;
}

function failureBody(c: CaseRow): string {
  const lines = [`${c.title}`, `clauses: ${c.clauses.join(', ') || '(none)'}`, `vector: ${c.source.file}:${c.source.line}`];
  if (c.reason !== undefined) lines.push(`reason: ${c.reason}`);
  if (c.deviation !== undefined) lines.push(`documented deviation: ${c.deviation}`);
  for (const d of c.detail?.diff ?? []) lines.push(`  ${diffLine(d)}`);
  if (c.detail?.replay !== undefined) lines.push(`replay: ${c.detail.replay}`);
  return lines.join('\n');
}

function testcase(c: CaseRow, run: RunSummary): string {
  const head = `    <testcase${attrs({ name: `${c.id}: ${c.title}`, classname: `x64spec.${slug(run.impl.name)}.${c.suite}`, time: seconds(c.durationMs ?? 0) })}`;
  switch (c.verdict) {
    case 'pass':
      return `${head}/>`;
    case 'fail':
      return `${head}>\n      <failure${attrs({ message: failureMessage(c), type: c.deviation ? 'deviation' : 'nonconformance' })}>${xmlEscape(failureBody(c))}</failure>\n    </testcase>`;
    case 'error':
      return `${head}>\n      <error${attrs({ message: failureMessage(c), type: 'error' })}>${xmlEscape(failureBody(c))}</error>\n    </testcase>`;
    case 'unsupported':
      return `${head}>\n      <skipped${attrs({ message: `unsupported: ${c.reason ?? 'no reason given'}` })}/>\n    </testcase>`;
  }
}

/** Lower-case letters, digits and dashes: a class-name segment. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'impl';
}

export function writeJunit(report: ReportJson): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const casesByRunSuite = new Map<string, CaseRow[]>();
  for (const c of report.cases) {
    const k = `${c.run}\u0000${c.suite}`;
    const list = casesByRunSuite.get(k);
    if (list === undefined) casesByRunSuite.set(k, [c]);
    else list.push(c);
  }
  const total = { tests: 0, failures: 0, errors: 0, skipped: 0, time: 0 };
  const suites: string[] = [];
  let id = 0;
  for (const run of report.runs) {
    for (const suite of run.suites) {
      const cases = casesByRunSuite.get(`${run.index}\u0000${suite}`) ?? [];
      const n = { tests: cases.length, failures: 0, errors: 0, skipped: 0, time: 0 };
      for (const c of cases) {
        if (c.verdict === 'fail') n.failures++;
        else if (c.verdict === 'error') n.errors++;
        else if (c.verdict === 'unsupported') n.skipped++;
        n.time += c.durationMs ?? 0;
      }
      // Without per-case times, the suite's time is the run's, shared by case count.
      const suiteTime = n.time > 0 ? n.time : run.counts.pass + run.counts.fail + run.counts.error + run.counts.unsupported > 0
        ? (run.durationMs * cases.length) / (run.counts.pass + run.counts.fail + run.counts.error + run.counts.unsupported) : 0;
      for (const k of ['tests', 'failures', 'errors', 'skipped'] as const) total[k] += n[k];
      total.time += suiteTime;
      const machine = run.machines[0];
      const props: Record<string, string> = {
        'impl.spec': run.impl.spec, 'impl.kind': run.impl.kind, 'impl.name': run.impl.name, 'impl.version': run.impl.version,
        ...(run.seeds.length > 0 ? { seed: run.seeds.join(',') } : {}),
        ...(machine ? { 'machine.cpu': machine.cpuModel, 'machine.node': machine.node } : {}),
        ...Object.fromEntries(Object.entries(run.impl.details ?? {}).map(([k, v]) => [`impl.${k}`, v])),
      };
      suites.push([
        `  <testsuite${attrs({
          name: `${run.impl.name} ${run.impl.version} · ${suite}`, tests: n.tests, failures: n.failures, errors: n.errors,
          skipped: n.skipped, time: seconds(suiteTime), timestamp: timestamp(run.startedAt),
          hostname: machine ? `${machine.platform}-${machine.arch}` : 'unknown', id: id++, package: `x64spec.${slug(run.impl.name)}`,
        })}>`,
        '    <properties>',
        ...Object.entries(props).map(([name, value]) => `      <property${attrs({ name, value })}/>`),
        '    </properties>',
        ...cases.map((c) => testcase(c, run)),
        '    <system-out></system-out>',
        `    <system-err>${xmlEscape(run.stderr ?? '')}</system-err>`,
        '  </testsuite>',
      ].join('\n'));
    }
  }
  // The schema's <testsuites> has no `skipped` attribute; each <testsuite> carries its own.
  out.push(`<testsuites${attrs({ name: 'x64spec', tests: total.tests, failures: total.failures, errors: total.errors, time: seconds(total.time) })}>`);
  out.push(...suites, '</testsuites>', '');
  return out.join('\n');
}
