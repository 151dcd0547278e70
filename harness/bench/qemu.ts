/**
 * QEMU throughput, boot included: one QEMU boot per batch of 1, 100, 10,000 and 100,000
 * prepared vectors (timed from QEMU's spawn to its exit; the notes also give the time with
 * the harness's encoding and decoding), then one QEMU per core at once; then the same through the whole
 * `qemu` adapter (the harness's preparing, encoding and decoding included), and the
 * whole paging corpus. Vectors come from the corpus (its largest CPU profile, cycled to
 * the batch size), so the mix of faults and successes is the corpus's.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readVectorFiles } from '../../vectors/io/index.ts';
import { QemuAdapter } from '../qemu/adapter.ts';
import type { GuestCase } from '../qemu/batch.ts';
import { ensureBuilt } from '../qemu/build.ts';
import type { QemuProfile } from '../qemu/cpu.ts';
import { boot, shmWithRoom, type BootFiles } from '../qemu/launch.ts';
import { settingsOrder } from '../qemu/order.ts';
import { prepare } from '../qemu/prepare.ts';
import { qemuAvailability } from '../qemu/register-adapter.ts';
import type { Vector } from '../types.ts';
import type { Benchmark, BenchResult } from './types.ts';

const TARGET_PER_INSTANCE = 80_000;
const CORPUS_TARGET_MS = 5_000;
const SIZES = [1, 100, 10_000, 100_000];

function corpus(): Vector[] {
  const read = readVectorFiles(['vectors/paging']);
  if (read.problems.length > 0) throw new Error(`the paging corpus has ${read.problems.length} problems; run \`x64spec vectors check\``);
  return read.vectors;
}

/** The vectors of the corpus's largest CPU profile (one QEMU CPU model, so one boot per batch). */
function oneProfile(vectors: readonly Vector[]): Vector[] {
  const key = (v: Vector) => JSON.stringify(v.input.cpu);
  const counts = new Map<string, number>();
  for (const v of vectors) counts.set(key(v), (counts.get(key(v)) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  return vectors.filter((v) => key(v) === top);
}

function cycle<T>(items: readonly T[], n: number): T[] {
  return Array.from({ length: n }, (_, i) => items[i % items.length]!);
}

async function timed(adapter: QemuAdapter, cases: readonly Vector[]): Promise<number> {
  const t0 = performance.now();
  const answers = await adapter.run(cases, { timeoutMs: 5000 });
  const ms = performance.now() - t0;
  const errors = answers.filter((a) => 'error' in a).length;
  if (errors > 0) throw new Error(`${errors} of ${cases.length} vectors ended in an error on QEMU`);
  return ms;
}

const load = () => `load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`;

/** A scratch directory and RAM file for direct boots. */
function bootFiles(tag: string): BootFiles {
  const dir = join(tmpdir(), `x64spec-bench-qemu-${process.pid}-${tag}`);
  mkdirSync(dir, { recursive: true });
  return { dir, ramFile: join(shmWithRoom(1) ?? dir, `x64spec-bench-qemu-${process.pid}-${tag}.ram`), tagged: false };
}

function dropFiles(f: BootFiles): void {
  rmSync(f.dir, { recursive: true, force: true });
  rmSync(f.ramFile, { force: true });
}

/**
 * CPU time (ms) of this process's exited and reaped children — the QEMUs — from
 * /proc/self/stat (cutime + cstime). The machine may be shared, so wall-time rates can
 * understate what a QEMU does per CPU-second; the notes give both. Undefined off Linux.
 */
function childCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); cutime and cstime are fields 16 and 17
    return (Number(fields[13]) + Number(fields[14])) * 10; // USER_HZ = 100
  } catch {
    return undefined;
  }
}

/**
 * One boot on `cases` (in the adapter's order). `ms`: the QEMU process from spawn to exit
 * (boot, batch, exit); `totalMs`: with the harness's encoding and decoding around it;
 * `cpu`: the QEMU's CPU time. All in ms.
 */
async function timedBoot(kernel: string, unordered: readonly GuestCase[], profile: QemuProfile, files: BootFiles): Promise<{ ms: number; totalMs: number; cpu?: number }> {
  const cases = settingsOrder(unordered).map((k) => unordered[k]!);
  const c0 = childCpuMs();
  const t0 = performance.now();
  const b = await boot(kernel, cases, profile, files, 120_000);
  const totalMs = performance.now() - t0;
  const c1 = childCpuMs();
  if (b.end.kind !== 'done' || b.results.length !== cases.length) throw new Error(`a benchmark boot ended early: ${JSON.stringify(b.end)}`);
  return c0 === undefined || c1 === undefined ? { ms: b.qemuMs, totalMs } : { ms: b.qemuMs, totalMs, cpu: c1 - c0 };
}

const cpuNote = (n: number, cpu: number | undefined) =>
  cpu === undefined ? '' : `; QEMU CPU time ${cpu} ms${cpu > 0 ? ` (${rate(n, cpu).toLocaleString('en-US')} vectors per CPU-second)` : ''}`;

const rate = (n: number, ms: number) => Math.round(n / (ms / 1000));

async function run(): Promise<BenchResult[]> {
  const a = qemuAvailability();
  if (!a.available) throw new Error(a.reason ?? 'QEMU is not available');
  const kernel = ensureBuilt();
  const all = corpus();
  const pool = oneProfile(all);
  const prepared = pool.map(prepare).flatMap((p) => (p.ok ? [p.prepared] : []));
  const profile = prepared[0]!.profile;
  const guests = prepared.map((p) => p.guest);
  const results: BenchResult[] = [];
  const target = { op: '>=' as const, value: TARGET_PER_INSTANCE };

  const files = bootFiles('one');
  try {
    const first = await timedBoot(kernel, guests.slice(0, 1), profile, files);
    results.push({
      name: 'first boot on a new RAM file, 1 vector (includes the 127 MiB tag fill)', value: Math.round(first.ms), unit: 'ms',
      note: `${load()}${cpuNote(1, first.cpu)}`,
    });
    for (const n of SIZES) {
      const t = await timedBoot(kernel, cycle(guests, n), profile, files);
      results.push({
        name: `QEMU, batch of ${n.toLocaleString('en-US')}`,
        value: rate(n, t.ms),
        unit: 'vectors/s',
        ...(n >= 100_000 ? { target } : {}),
        note: `QEMU ${t.ms.toFixed(0)} ms wall from spawn to exit (${t.totalMs.toFixed(0)} ms with the harness encoding and decoding the batch); ${load()}${cpuNote(n, t.cpu)}`,
      });
    }
  } finally {
    dropFiles(files);
  }

  const cores = availableParallelism();
  const lanes = Array.from({ length: cores }, (_, i) => bootFiles(`lane${i}`));
  try {
    await Promise.all(lanes.map((f) => timedBoot(kernel, guests.slice(0, 1), profile, f))); // tag fill, not measured
    const batch = cycle(guests, 100_000);
    const c0 = childCpuMs();
    const t0 = performance.now();
    const runs = await Promise.all(lanes.map((f) => timedBoot(kernel, batch, profile, f)));
    const ms = Math.max(...runs.map((r) => r.ms));
    const total = performance.now() - t0;
    const c1 = childCpuMs();
    results.push({
      name: `${cores} QEMUs at once (one per core), 100,000 vectors each`,
      value: rate(cores * batch.length, ms),
      unit: 'vectors/s',
      note: `aggregate over the slowest QEMU's spawn-to-exit time; ${rate(batch.length, ms)} vectors/s per instance; ${total.toFixed(0)} ms with encoding and decoding; ${load()}${cpuNote(cores * batch.length, c0 === undefined || c1 === undefined ? undefined : c1 - c0)}`,
    });
  } finally {
    lanes.forEach(dropFiles);
  }

  const adapter = new QemuAdapter({ parallel: 1 });
  try {
    await timed(adapter, pool.slice(0, 1)); // tag fill, not measured
    const batch = cycle(pool, 100_000);
    const ms = await timed(adapter, batch);
    results.push({
      name: 'qemu adapter end to end, 100,000 vectors (JSON vectors in, answers out)',
      value: rate(batch.length, ms),
      unit: 'vectors/s',
      note: `${ms.toFixed(0)} ms: preparing, encoding, one boot, decoding and interpreting; ${load()}`,
    });
  } finally {
    await adapter.close();
  }

  const whole = new QemuAdapter();
  try {
    const ms = await timed(whole, all);
    results.push({
      name: `whole paging corpus (${all.length.toLocaleString('en-US')} vectors, ${whole.stats.boots} boots over its CPU profiles)`,
      value: Math.round(ms),
      unit: 'ms',
      target: { op: '<=', value: CORPUS_TARGET_MS },
      note: `one adapter running ${cores} QEMUs at once, new RAM files; ${load()}`,
    });
  } finally {
    await whole.close();
  }
  return results;
}

export const benchmarks: Benchmark[] = [{ name: 'QEMU TCG paging vectors', group: 'qemu', run }];
