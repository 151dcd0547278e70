// Implementations that crash, hang, print garbage or a 100 MB line, answer the wrong id or
// exit early: every case still gets a verdict in order, the good cases still pass, no
// process is left behind, and the run ends within its time limits.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { definition } from '../suites/paging.ts';
import { processFactory } from '../adapters/process.ts';
import { moduleFactory } from '../adapters/inprocess.ts';
import { runImplementation, type RunnerOptions } from './run.ts';
import { testVectors } from '../testdata/vectors.ts';
import type { ImplementationRun } from '../results.ts';

const MISBEHAVE = 'node --import tsx harness/testdata/misbehave.ts';
const options = (extra: Partial<RunnerOptions> = {}): RunnerOptions => ({
  jobs: 1, timeoutMs: 1500, workDir: 'out/test-work', progress: false, definitions: () => definition, ...extra,
});

/** Processes that are ours: children of this process, and anything still running our test commands. */
function leftovers(): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,ppid=,stat=,args='], { encoding: 'utf8' });
  return ps.split('\n').filter((l) => {
    const [pid, ppid, stat] = l.trim().split(/\s+/);
    if (pid === undefined || Number(pid) === process.pid) return false;
    const zombieOfOurs = Number(ppid) === process.pid && stat?.startsWith('Z');
    return zombieOfOurs || l.includes('harness/testdata/misbehave.ts') || l.includes('sleep 600');
  });
}

/** Leftovers after a short grace: SIGKILLed group members may take a moment to be reaped. */
async function settledLeftovers(): Promise<string[]> {
  for (let i = 0; i < 20; i++) {
    const l = leftovers();
    if (l.length === 0) return l;
    await new Promise((r) => setTimeout(r, 100));
  }
  return leftovers();
}

const MIXED = [
  'ok-1', 'crash', 'ok-2', 'hang', 'ok-3', 'garbage', 'ok-4', 'huge', 'ok-5', 'wrongid', 'ok-6',
  'exit0', 'ok-7', 'sigkill', 'ok-8', 'spawn', 'ok-9', 'noisy', 'ok-10',
];
const REASONS: Record<string, RegExp> = {
  crash: /exited with status 1 before answering/,
  hang: /timeout: no answer within 4000 ms/,
  garbage: /malformed answer: not JSON/,
  huge: /malformed answer: a line longer than/,
  wrongid: /wrong id: answered "nope" while "wrongid" was pending/,
  exit0: /exited with status 0 before answering/,
  sigkill: /killed by SIGKILL/,
  spawn: /timeout/,
};

function checkMixed(run: ImplementationRun): void {
  expect(run.cases.map((c) => c.id)).toEqual(MIXED);
  for (const c of run.cases) {
    if (c.id.startsWith('ok-') || c.id === 'noisy') expect(c.verdict, `${c.id}: ${c.reason}`).toBe('pass');
    else {
      expect(c.verdict, c.id).toBe('error');
      expect(c.reason).toMatch(REASONS[c.id]!);
    }
  }
  expect(run.counts).toEqual({ pass: 11, fail: 0, unsupported: 0, error: 8 });
  expect(run.stderr).toContain('noisy-end');
  expect(run.stderr!.length).toBeLessThanOrEqual(64 * 1024);
}

describe('process adapter robustness', () => {
  it('gives every case a verdict through crashes, hangs, garbage, a 100 MB line, wrong ids and early exits, leaving no process behind', async () => {
    const vectors = testVectors(MIXED);
    const t0 = performance.now();
    const run = await runImplementation(processFactory('misbehave', MISBEHAVE), vectors, options({ timeoutMs: 4000 }));
    checkMixed(run);
    // Two hangs cost a timeout each; restarts cost a node start each. Nothing waits longer.
    expect(performance.now() - t0).toBeLessThan(60_000);
    expect(await settledLeftovers()).toEqual([]);
  });

  it('does the same with two lanes', async () => {
    // Small batches, so both lanes take work.
    const f = { ...processFactory('misbehave', MISBEHAVE), batchSize: 3 };
    checkMixed(await runImplementation(f, testVectors(MIXED), options({ jobs: 2, timeoutMs: 4000 })));
    expect(await settledLeftovers()).toEqual([]);
  });

  it('marks every case error with the reason when the implementation never says hello', async () => {
    const vectors = testVectors(['a', 'b', 'c']);
    for (const [flag, why, helloTimeoutMs] of [['--no-hello', /no hello within 800 ms/, 800], ['--bad-hello', /protocol "other\/9" is not x64spec-impl\/1/, 20_000]] as const) {
      const run = await runImplementation(processFactory('x', `${MISBEHAVE} ${flag}`, { helloTimeoutMs }), vectors, options());
      expect(run.counts.error).toBe(3);
      for (const c of run.cases) expect(c.reason).toMatch(why);
    }
    expect(await settledLeftovers()).toEqual([]);
  });

  it('gives up restarting after two failed restarts, answering the rest with the reason', async () => {
    const marker = `out/test-work/once-${process.pid}`;
    rmSync(marker, { force: true });
    const ids = ['ok-1', 'crash', 'a', 'b', 'c', 'd'];
    const f = { ...processFactory('x', `${MISBEHAVE} --once=${marker}`), batchSize: 3 };
    const run = await runImplementation(f, testVectors(ids), options());
    expect(run.cases.map((c) => `${c.id} ${c.verdict}: ${c.reason ?? ''}`.replace(/'[^']*': /, ''))).toEqual([
      'ok-1 pass: ',
      'crash error: implementation exited with status 1 before answering',
      'a error: restart failed: exited with status 1 before its hello',
      'b error: restart failed: exited with status 1 before its hello',
      'c error: implementation cannot be restarted: exited with status 1 before its hello',
      'd error: implementation cannot be restarted: exited with status 1 before its hello',
    ]);
    expect(await settledLeftovers()).toEqual([]);
  });

  it('reports a command that cannot start', async () => {
    const run = await runImplementation(processFactory('x', '/nonexistent/impl --flag'), testVectors(['a', 'b']), options());
    expect(run.counts.error).toBe(2);
    expect(run.cases[0]!.reason).toMatch(/implementation did not start: .*could not start: .*ENOENT/);
  });

  it('marks vectors outside the hello profile unsupported without sending them', async () => {
    const vectors = testVectors(Array.from({ length: 200 }, (_, i) => `p-${i}`));
    const run = await runImplementation(processFactory('x', `${MISBEHAVE} --profile46`), vectors, options());
    expect(run.impl.profile).toEqual({ maxphyaddr: 46, features: ['nx', 'smep', 'smap', 'pdpe1gb'] });
    run.cases.forEach((c, i) => {
      const cpu = vectors[i]!.input.cpu as { maxphyaddr: number; features: string[] };
      const fits = cpu.maxphyaddr === 46 && !cpu.features.includes('pku') && cpu.features.includes('pdpe1gb');
      expect(c.verdict, `${c.id}: ${c.reason}`).toBe(fits ? 'pass' : 'unsupported');
      if (!fits) expect(c.reason).toMatch(/profile (has|lacks)/);
    });
    expect(run.counts.pass).toBeGreaterThan(0);
    expect(run.counts.unsupported).toBeGreaterThan(0);
  });
});

describe('in-process module robustness', () => {
  it('survives a module that spins, never resolves, throws, exits its worker or returns non-JSON', async () => {
    const tags = ['ok-1', 'hang-sync', 'ok-2', 'hang-async', 'ok-3', 'throw', 'ok-4', 'exit', 'ok-5', 'bigint', 'ok-6'];
    const vectors = testVectors(tags).map((v, i) => (tags[i]!.startsWith('ok') ? v : { ...v, input: { ...v.input, tag: tags[i]! } }));
    const run = await runImplementation(moduleFactory('m', 'harness/testdata/modules/misbehaving.ts'), vectors, options({ timeoutMs: 1000, jobs: 2 }));
    const by = Object.fromEntries(run.cases.map((c) => [c.id, c]));
    for (const t of tags.filter((x) => x.startsWith('ok'))) expect(by[t]!.verdict, by[t]!.reason).toBe('pass');
    expect(by['hang-sync']!.reason).toMatch(/timeout: no answer within 1000 ms/);
    expect(by['hang-async']!.reason).toMatch(/timeout/);
    expect(by['throw']!.reason).toMatch(/threw Error: deliberate failure/);
    expect(by['exit']!.reason).toMatch(/threw Error: the implementation called process.exit\(3\)/);
    expect(by['bigint']!.reason).toMatch(/malformed answer: returned a value that is not JSON/);
    expect(run.counts).toEqual({ pass: 6, fail: 0, unsupported: 0, error: 5 });
  });

  it('reports a module that fails to load, or exports no suite, on every case', async () => {
    const vectors = testVectors(['a', 'b']);
    const load = await runImplementation(moduleFactory('m', 'harness/testdata/modules/throws-on-load.ts'), vectors, options());
    expect(load.cases.map((c) => c.reason)).toEqual(Array(2).fill('implementation did not start: m: Error: module top level failed'));
    const none = await runImplementation(moduleFactory('v', 'harness/testdata/vectors.ts'), vectors, options());
    expect(none.cases[0]!.reason).toMatch(/implementation did not start: v: Error: harness\/testdata\/vectors\.ts exports no suite function/);
  });
});
