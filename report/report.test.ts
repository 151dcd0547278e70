import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { ReportInputError, makeReport, writeJunit, writeReport, type ReportJson } from './index.ts';
import type { ResultsFile } from '../harness/results.ts';
import { makeFixture, ROOT, type Fixture } from './testdata/setup.ts';

let fx: Fixture;
let merged: ReportJson;
let unsharded: ReportJson;

const rel = (p: string): string => p.slice(ROOT.length + 1);
const opts = () => ({ root: ROOT, outDir: join(fx.dir, 'api'), coverageDir: fx.coverageDir, benchFile: fx.benchFile });

/**
 * The report without what legitimately differs between a sharded and an unsharded run:
 * times, which files it came from, and the processes' stderr (one per shard).
 */
function comparable(r: ReportJson): unknown {
  const drop = new Set(['generatedAt', 'sources', 'startedAt', 'durationMs', 'caseTimeMs', 'shards', 'stderr']);
  return JSON.parse(JSON.stringify(r, (k, v: unknown) => (drop.has(k) ? undefined : v)));
}

beforeAll(() => {
  fx = makeFixture('unit');
  merged = makeReport(fx.shards, opts());
  unsharded = makeReport([fx.unsharded], opts());
});

describe('merging shards', () => {
  it('gives the same report as the unsharded run, apart from times', () => {
    expect(merged.cases.length).toBe(unsharded.cases.length);
    expect(merged.runs.map((r) => r.shards)).toEqual([2, 2]);
    expect(comparable(merged)).toEqual(comparable(unsharded));
  });

  it('each shard holds part of the cases, and together they hold all of them once', () => {
    const shardReports = fx.shards.map((s) => makeReport([s], opts()));
    const sizes = shardReports.map((r) => r.cases.length);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    expect(sizes[0]! + sizes[1]!).toBe(unsharded.cases.length);
  });

  it('takes a folder of results files (the shards a CI job downloaded)', () => {
    const folder = join(fx.dir, 'shards');
    mkdirSync(folder, { recursive: true });
    fx.shards.forEach((s, i) => copyFileSync(join(ROOT, s), join(folder, `part-${i + 1}.json`)));
    const fromFolder = makeReport([rel(folder)], opts());
    expect(comparable(fromFolder)).toEqual(comparable(unsharded));
    expect(fromFolder.sources.map((s) => s.file)).toEqual([`${rel(folder)}/part-1.json`, `${rel(folder)}/part-2.json`]);
  });

  it('says when a shard is missing', () => {
    const partial = makeReport([fx.shards[0]], opts());
    expect(partial.notes.some((n) => n.includes('2/2') && n.includes('missing'))).toBe(true);
    expect(merged.notes.some((n) => n.includes('missing'))).toBe(false);
  });

  it('refuses a case given twice for one implementation, naming both files', () => {
    try {
      makeReport([fx.shards[0], fx.shards[0]], opts());
      expect.unreachable('a duplicated shard must not merge');
    } catch (err) {
      expect(err).toBeInstanceOf(ReportInputError);
      expect((err as ReportInputError).problem.kind).toBe('duplicate-case');
      expect((err as Error).message).toContain(fx.shards[0]);
    }
  });

  it('x64spec report --results merges shards into the same report.json', () => {
    const out = join(fx.dir, 'cli');
    const stdout = execFileSync(process.execPath, [
      'bin/x64spec.js', 'report', '--results', ...fx.shards, '--out', out.slice(ROOT.length + 1),
      '--coverage', fx.coverageDir, '--bench', fx.benchFile,
    ], { cwd: ROOT, encoding: 'utf8' });
    expect(stdout).toContain(join(out, 'report.html'));
    const fromCli = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ReportJson;
    expect(comparable(fromCli)).toEqual(comparable(unsharded));
  });
});

describe('shards from x64spec run', () => {
  /** Runs `x64spec run` with the model and the wp-blind module over the fixture corpus. */
  const run = (out: string, shard?: string): Promise<number> => new Promise((done, fail) => {
    const args = ['bin/x64spec.js', 'run', '--impl', 'model', '--impl', 'report/testdata/wp-blind-impl.ts',
      '--vectors', `${rel(fx.dir)}/corpus.jsonl`, '--jobs', '1', '--out', out, ...(shard ? ['--shard', shard] : [])];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    // Exit 1 means some case failed, which the wp-blind module makes sure of.
    child.on('close', (code) => (code === 0 || code === 1 ? done(code) : fail(new Error(`x64spec run exited ${code}: ${err}`))));
  });

  it('merging `--shard 1/2` and `--shard 2/2` gives the report of the unsharded run', async () => {
    const dir = rel(fx.dir);
    const codes = await Promise.all([run(`${dir}/run-all.json`), run(`${dir}/run-1.json`, '1/2'), run(`${dir}/run-2.json`, '2/2')]);
    expect(codes).toEqual([1, 1, 1]);
    const whole = makeReport([`${dir}/run-all.json`], opts());
    const parts = makeReport([`${dir}/run-1.json`, `${dir}/run-2.json`], opts());
    expect(parts.runs.map((r) => r.shards)).toEqual([2, 2]);
    expect(whole.runs[1]!.counts.fail).toBeGreaterThan(0);
    expect(comparable(parts)).toEqual(comparable(whole));
  });
});

describe('summary and matrix', () => {
  it('counts per implementation and suite match the results file', () => {
    for (const [i, run] of fx.results.runs.entries()) {
      expect(unsharded.runs[i]!.counts).toEqual(run.counts);
      expect(unsharded.runs[i]!.countsBySuite.paging).toEqual(run.counts);
    }
  });

  it('the deliberately wrong implementation has every kind of verdict', () => {
    const c = unsharded.runs[1]!.counts;
    expect(c.fail).toBeGreaterThan(0);
    expect(c.error).toBeGreaterThan(0);
    expect(c.unsupported).toBeGreaterThan(0);
    expect(c.pass).toBeGreaterThan(0);
  });

  it('each matrix cell counts the cases citing the clause', () => {
    for (const row of unsharded.clauses) {
      row.cells.forEach((cell, r) => {
        const cases = unsharded.cases.filter((c) => c.run === r && c.clauses.includes(row.id));
        expect(cell.pass + cell.fail + cell.unsupported + cell.error).toBe(cases.length);
        expect(cell.fail).toBe(cases.filter((c) => c.verdict === 'fail').length);
      });
    }
  });

  it('flags clauses with no vector, and knows which tests name a clause', () => {
    const noVector = unsharded.clauses.filter((c) => c.uncovered.includes('no-vector'));
    expect(noVector.length).toBeGreaterThan(0);
    expect(noVector.every((c) => c.vectors === 0)).toBe(true);
    expect(unsharded.clauses.filter((c) => c.vectors > 0).every((c) => !c.uncovered.includes('no-vector'))).toBe(true);
    // The hand-computed paging tests name paging clauses.
    expect(unsharded.clauseCoverage.withProperty).toBeGreaterThan(0);
    const withProps = unsharded.clauses.find((c) => c.properties.length > 0)!;
    expect(withProps.properties[0]!.file).toMatch(/\.test\.ts$/);
  });
});

describe('the failing case', () => {
  it('carries the diff, a paging view with the walk trace, a replay command and the vector line', () => {
    const fail = unsharded.cases.find((c) => c.verdict === 'fail')!;
    const d = fail.detail!;
    expect(d.diff!.length).toBeGreaterThan(0);
    const p = d.paging!;
    expect('steps' in p.trace && p.trace.steps.length).toBe(4);
    expect(p.tables.map((t) => t.levelName)).toEqual(['PML4E', 'PDPTE', 'PDE', 'PTE']);
    expect(p.tables.every((t) => t.entries.some((e) => e.selected))).toBe(true);
    expect(p.outcome.find((r) => r.field === 'outcome')!.ok).toBe(false);
    // wp-blind lets the write through, so the PTE gets A and D where a fault leaves it alone.
    expect(p.memory.filter((m) => !m.ok).map((m) => m.differs)).toEqual(['observed set A (bit 5), set D (bit 6)']);
    const cr0 = p.registers.find((r) => r.name === 'CR0')!;
    expect(cr0.bits.find((b) => b.name === 'WP')!.set).toBe(true);
    expect(d.replay).toContain('x64spec run --impl report/testdata/wp-blind-impl.ts');
    const line = JSON.parse(d.vectorLine!) as { id: string };
    expect(line.id).toBe(fail.id);
    const source = readFileSync(join(ROOT, fail.source.file), 'utf8').split('\n')[fail.source.line - 1];
    expect(d.vectorLine).toBe(source);
  });

  it('the replay command re-runs exactly that case, and it fails the same way', () => {
    const fail = unsharded.cases.find((c) => c.verdict === 'fail')!;
    const cmd = fail.detail!.replay.replaceAll('out/replay', `${rel(fx.dir)}/replay`);
    const r = spawnSync('sh', ['-c', cmd], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(1);
    expect(readFileSync(join(fx.dir, `replay-${fail.id}.jsonl`), 'utf8')).toBe(fail.detail!.vectorLine + '\n');
    const replayed = JSON.parse(readFileSync(join(fx.dir, 'replay.json'), 'utf8')) as ResultsFile;
    expect(replayed.runs.map((x) => x.cases.map((c) => [c.id, c.verdict]))).toEqual([[[fail.id, 'fail']]]);
    expect(replayed.runs[0]!.cases[0]!.diff).toEqual(fail.detail!.diff);
  });
});

describe('documented deviations', () => {
  it('are counted per implementation and typed as such in JUnit', () => {
    const r = JSON.parse(JSON.stringify(fx.results)) as { runs: { cases: { verdict: string; deviation?: string }[] }[] };
    const failing = r.runs[1]!.cases.find((c) => c.verdict === 'fail')!;
    failing.deviation = 'QEMU-TEST-1';
    const file = join(fx.dir, 'deviation.json');
    writeFileSync(file, JSON.stringify(r));
    const rep = makeReport([rel(file)], opts());
    expect(rep.runs.map((x) => x.deviations)).toEqual([undefined, 1]);
    expect(rep.cases.find((c) => c.deviation !== undefined)!.deviation).toBe('QEMU-TEST-1');
    const junit = writeJunit(rep);
    expect(junit.match(/type="deviation"/g)).toHaveLength(1);
    expect(junit).toContain('documented deviation: QEMU-TEST-1');
  });
});

describe('report.json', () => {
  it('validates against report/report.schema.json, with and without coverage and benchmarks', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'report/report.schema.json'), 'utf8')) as object;
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
    const bare = makeReport([fx.unsharded], { root: ROOT, coverageDir: join(fx.dir, 'none'), benchFile: join(fx.dir, 'none.json') });
    for (const r of [unsharded, merged, bare]) {
      const ok = validate(JSON.parse(JSON.stringify(r)));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
    expect(bare.codeCoverage.available).toBe(false);
    expect(bare.benchmarks.available).toBe(false);
    expect(bare.notes.some((n) => n.includes('Code coverage is not shown'))).toBe(true);
    expect(bare.notes.some((n) => n.includes('npm run bench'))).toBe(true);
  });

  it('summarises code coverage per folder and links its HTML relative to the report', () => {
    const cc = unsharded.codeCoverage;
    if (!cc.available) throw new Error(`coverage should be available: ${cc.reason}`);
    expect(cc.total.lines).toEqual({ total: 300, covered: 290, pct: 96.7 });
    expect(cc.folders.map((f) => [f.folder, f.files])).toEqual([['model/paging', 2], ['report', 1]]);
    expect(cc.htmlIndex).toBe('../coverage/index.html');
  });

  it('writeReport writes the three files and returns their paths', async () => {
    const paths = await writeReport([fx.unsharded], opts());
    expect(paths.htmlPath).toBe(join(fx.dir, 'api', 'report.html'));
    const html = readFileSync(paths.htmlPath, 'utf8');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?https?:/);
    expect(readFileSync(paths.junitPath, 'utf8')).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
    expect(JSON.parse(readFileSync(paths.jsonPath, 'utf8')).format).toBe('x64spec-report/1');
  });
});

describe('bad input', () => {
  const write = (name: string, text: string): string => {
    const file = join(fx.dir, name);
    writeFileSync(file, text);
    return file.slice(ROOT.length + 1);
  };

  it.each([
    ['missing file', () => join(fx.dir, 'nope.json').slice(ROOT.length + 1), 'unreadable', /cannot read .*nope\.json: ENOENT/],
    ['not JSON', () => write('bad.json', '{"format": '), 'not-json', /bad\.json is not JSON/],
    ['other format', () => write('other.json', '{"format":"something/2"}'), 'wrong-format', /not an x64spec results file/],
    ['wrong verdict', () => {
      const r = JSON.parse(JSON.stringify(fx.results)) as { runs: { cases: { verdict: string }[] }[] };
      r.runs[1]!.cases[5]!.verdict = 'maybe';
      return write('verdict.json', JSON.stringify(r));
    }, 'invalid', /\$\.runs\[1\]\.cases\[5\]\.verdict should be one of pass, fail, unsupported, error/],
  ] as const)('%s gets a typed error naming the file and place', (_name, file, kind, message) => {
    const f = file();
    try {
      makeReport([f], opts());
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ReportInputError);
      expect((err as ReportInputError).problem.kind).toBe(kind);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('the command prints one line and exits 2', () => {
    const r = spawnSync(process.execPath, ['bin/x64spec.js', 'report', '--results', 'out/report-test/unit/nope.json', '--out', 'out/report-test/unit/x'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^x64spec report: cannot read .*nope\.json: ENOENT/);
    const u = spawnSync(process.execPath, ['bin/x64spec.js', 'report', '--out'], { cwd: ROOT, encoding: 'utf8' });
    expect(u.status).toBe(2);
    expect(u.stderr).toContain('--out needs a value');
  });
});
