// `x64spec run` end to end, as a user runs it: exit codes, the results file, shards, and
// one-line errors for bad input.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { formatVectorFile } from '../../vectors/io/index.ts';
import { checkSchema } from '../../vectors/io/schemas.ts';
import { testVectors } from '../testdata/vectors.ts';
import type { ResultsFile } from '../results.ts';

const DIR = 'out/test-work/cli-run';
mkdirSync(DIR, { recursive: true });
const VECTORS = join(DIR, 'v.jsonl');
const vectors = testVectors(Array.from({ length: 60 }, (_, i) => `cli-${i}`), 5);
writeFileSync(VECTORS, formatVectorFile(vectors));

async function x64spec(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', ['bin/x64spec.js', ...args], { maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const read = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as ResultsFile;

describe('x64spec run', () => {
  it('runs the model and a process implementation into one schema-valid results file, exit 0', async () => {
    const out = join(DIR, 'ok.json');
    const r = await x64spec('run', '--impl', 'model', '--impl', "process:'python3 harness/examples/python/x64spec_paging.py'", '--vectors', VECTORS, '--out', out, '--jobs', '2', '--seed', '9');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/x64spec model 0\.1\.0 \(model\): 60 pass, 0 fail, 0 unsupported, 0 error/);
    expect(r.stdout).toMatch(/x64spec-example-python 1\.0\.0 .*: \d+ pass, 0 fail, \d+ unsupported, 0 error/);
    const file = read(out);
    expect(checkSchema('results.schema.json', file)).toBeUndefined();
    expect(file.format).toBe('x64spec-results/1');
    expect(file.seed).toBe(9);
    expect(file.runs.map((x) => x.impl.kind)).toEqual(['model', 'process']);
    expect(file.runs[0]!.cases.map((c) => c.id)).toEqual(vectors.map((v) => v.id));
    expect(file.runs[0]!.cases[0]!.source).toEqual({ file: VECTORS, line: 1 });
  });

  it('exits 1 and records the structured diff when an implementation fails', async () => {
    const out = join(DIR, 'fail.json');
    const r = await x64spec('run', '--impl', 'harness/testdata/modules/broken-wr.ts', '--vectors', VECTORS, '--out', out);
    expect(r.code).toBe(1);
    const run = read(out).runs[0]!;
    const failed = run.cases.filter((c) => c.verdict === 'fail');
    expect(failed.length).toBeGreaterThan(0);
    expect(run.counts.fail).toBe(failed.length);
    for (const c of failed) {
      expect(c.diff).toEqual([{ path: '$.errorCode', expected: expect.any(String), observed: expect.any(String), clause: 'PG.PF.EC.WR' }]);
      expect(c.input).toBeDefined();
      expect(c.observed).toBeDefined();
    }
  });

  it('splits the vectors by id with --shard, each exactly once', async () => {
    const ids: string[] = [];
    for (const i of [1, 2, 3]) {
      const out = join(DIR, `shard${i}.json`);
      const r = await x64spec('run', '--impl', 'model', '--vectors', VECTORS, '--out', out, '--shard', `${i}/3`);
      expect(r.code, r.stderr).toBe(0);
      const file = read(out);
      expect(file.shard).toEqual({ index: i, count: 3 });
      ids.push(...file.runs[0]!.cases.map((c) => c.id));
    }
    expect(ids.sort()).toEqual(vectors.map((v) => v.id).sort());
  });

  it('rejects bad input with one line and exit 2', async () => {
    const badFile = join(DIR, 'bad.jsonl');
    writeFileSync(badFile, readFileSync(VECTORS, 'utf8').split('\n')[0] + '\n{"id":"x","__proto__":{}}\n');
    const cases: [string[], RegExp][] = [
      [['run', '--vectors', VECTORS], /--impl is required/],
      [['run', '--impl', 'nosuch', '--vectors', VECTORS], /--impl nosuch: unknown implementation/],
      [['run', '--impl', 'model', '--shard', '3/2', '--vectors', VECTORS], /--shard 3\/2: need 1 <= i <= N/],
      [['run', '--impl', 'model', '--jobs', 'many', '--vectors', VECTORS], /--jobs many: expected an integer/],
      [['run', '--impl', 'model', '--suite', 'pagin'], /--suite pagin: unknown suite/],
      [['run', '--impl', 'model', '--vectors', badFile], /bad\.jsonl:2: \$\.__proto__: forbidden key/],
      [['run', '--impl', 'process:', '--vectors', VECTORS], /no command after 'process:'/],
    ];
    for (const [args, why] of cases) {
      const r = await x64spec(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(why);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });
});
