/**
 * Paging benchmarks: translations per second of the model for a hot workload (16 pages,
 * repeated) and a random one (100k 4 KiB pages plus 2 MiB and 1 GiB pages), through the
 * pure walk (`walkWithMode`, the full result object with trace) and through `Mmu` (walk
 * behind a software TLB), and the same workloads run by the C example's walker compiled
 * with gcc -O2 (walkbench), with the model/C ratio.
 */
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Mmu } from '../../model/paging/mmu.ts';
import { modeOf } from '../../model/paging/mode.ts';
import { PAGE_4K, type Access } from '../../model/paging/types.ts';
import { virtAddr, type PhysAddr } from '../../model/paging/addr.ts';
import { mapperFixture } from '../../model/paging/mapper-fixture.ts';
import { pageFlags } from '../../model/paging/mapper-flags.ts';
import { u64 } from '../../model/paging/u64.ts';
import { walkWithMode } from '../../model/paging/walk.ts';
import { OK, walkCore, WalkScratch } from '../../model/paging/walk-core.ts';
import type { Benchmark, BenchResult } from './types.ts';
import { runWalkbench, type CRun } from './walkbench/build.ts';
import { exportWorkload, hotWorkload, randomWorkload, type Workload } from './walkbench/workload.ts';

/** CPU seconds each measurement runs at least, over all its rounds (X64SPEC_BENCH_SECONDS overrides). */
function minSeconds(): number {
  const s = Number(process.env.X64SPEC_BENCH_SECONDS ?? '0.6');
  return Number.isFinite(s) && s > 0 ? s : 0.6;
}

/** Translations per second, and the mod-2^32 sum of the physical addresses of the first pass. */
export interface Timing {
  readonly perSecond: number;
  readonly checksum: number;
  readonly faults: number;
}

/** Times the pure walk over the workload's addresses. */
export function timeWalk(w: Workload, seconds: number): Timing {
  const mode = modeOf(w.state.cpu, w.state.regs);
  const accesses: Access[] = w.vas.map((va) => ({ va, kind: 'read', implicit: false }));
  return timeLoop(seconds, accesses.length, (i) => {
    const r = walkWithMode(w.state, mode, accesses[i]!);
    return r.outcome === 'ok' ? r.pa : -1;
  });
}

/**
 * Times the walk's allocation-free core (what `walk` and `Mmu` share) with no result
 * object: the cost of the walk itself, apart from building results and traces.
 */
export function timeCore(w: Workload, seconds: number): Timing {
  const mode = modeOf(w.state.cpu, w.state.regs);
  const out = new WalkScratch();
  const memory = w.state.memory;
  const his = Uint32Array.from(w.vas, (v) => v.hi);
  const los = Uint32Array.from(w.vas, (v) => v.lo);
  return timeLoop(seconds, his.length, (i) => {
    walkCore(memory, mode, his[i]!, los[i]!, 'read', false, out);
    return out.status === OK ? out.pa : -1;
  });
}

/** Times `Mmu` (TLB + walk) over the workload's addresses, halves passed without objects. */
export function timeMmu(w: Workload, seconds: number): Timing {
  const mmu = new Mmu(w.state);
  const his = Uint32Array.from(w.vas, (v) => v.hi);
  const los = Uint32Array.from(w.vas, (v) => v.lo);
  return timeLoop(seconds, his.length, (i) => mmu.accessHalves(his[i]!, los[i]!, 'read'));
}

/** Rounds per measurement; the best round counts, as other work on the machine only slows a round down. */
const ROUNDS = 3;

function timeLoop(seconds: number, n: number, translate: (i: number) => number): Timing {
  let checksum = 0;
  let faults = 0;
  // One untimed pass: JIT warm-up, and the checksum.
  for (let i = 0; i < n; i++) {
    const pa = translate(i);
    if (pa < 0) faults++;
    else checksum = (checksum + (pa % 4294967296)) >>> 0;
  }
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let done = 0;
    const start = cpuSeconds();
    let elapsed = 0;
    do {
      for (let i = 0; i < n; i++) translate(i);
      done += n;
      elapsed = cpuSeconds() - start;
    } while (elapsed < seconds / ROUNDS);
    best = Math.max(best, done / elapsed);
  }
  return { perSecond: best, checksum, faults };
}

/**
 * CPU time this process has used, in seconds. Rates are per CPU second (on both the
 * model's and the C side) so that other work on a shared machine does not distort them;
 * on an idle machine they equal wall-clock rates.
 */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const HOT_TARGET = { op: '>=', value: 10e6 } as const;
const RANDOM_TARGET = { op: '>=', value: 3e6 } as const;
const RATIO_TARGET = { op: '>=', value: 0.3 } as const;

function runC(w: Workload, seconds: number): CRun {
  const dir = join('out', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `paging-${w.name}.bin`);
  exportWorkload(w, file);
  let best: CRun | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const run = runWalkbench(file, seconds / ROUNDS);
    if (best === undefined || run.translations / run.seconds > best.translations / best.seconds) best = run;
  }
  return best!;
}

/** Every figure for one workload. */
export async function measureWorkload(w: Workload, target: BenchResult['target'], seconds = minSeconds()): Promise<BenchResult[]> {
  const walkT = timeWalk(w, seconds);
  const coreT = timeCore(w, seconds);
  const mmuT = timeMmu(w, seconds);
  const load = `rates per CPU second, best of ${ROUNDS} rounds; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`;
  const results: BenchResult[] = [
    // The targets apply to the model translating (its walk core, and the Mmu that caches
    // its results); `walk` also builds the trace and clause lists a reference answer
    // carries, which no translator needs, so it is reported without a target.
    { name: `${w.name}: model walk (traced reference answer)`, value: walkT.perSecond, unit: 'translations/s', note: load },
    { name: `${w.name}: model walk core (no result object)`, value: coreT.perSecond, unit: 'translations/s', target },
    { name: `${w.name}: model Mmu (TLB)`, value: mmuT.perSecond, unit: 'translations/s', target },
  ];
  let c: CRun;
  try {
    c = runC(w, seconds);
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0]! : String(e);
    return [...results, { name: `${w.name}: C walker (gcc -O2)`, value: Number.NaN, unit: 'translations/s', note: `not measured: ${why}` }];
  }
  const cRate = c.translations / c.seconds;
  const model = [walkT, coreT, mmuT];
  const agree = c.faults === 0 && model.every((t) => t.checksum === c.checksum && t.faults === 0);
  const note = agree ? undefined
    : `MISMATCH: checksums walk/core/Mmu ${model.map((t) => t.checksum).join('/')}, C ${c.checksum}; faults ${model.map((t) => t.faults).join('/')}/${c.faults}`;
  return [
    ...results,
    { name: `${w.name}: C walker (gcc -O2)`, value: cRate, unit: 'translations/s', ...(note ? { note } : {}) },
    { name: `${w.name}: ratio model walk / C`, value: walkT.perSecond / cRate, unit: 'ratio' },
    { name: `${w.name}: ratio model walk core / C`, value: coreT.perSecond / cRate, unit: 'ratio', target: RATIO_TARGET },
    { name: `${w.name}: ratio model Mmu / C`, value: mmuT.perSecond / cRate, unit: 'ratio', target: RATIO_TARGET },
  ];
}

/**
 * The mapper's own speed: map, then protect, then unmap `count` 4 KiB pages (ten slots
 * apart, so a new page table every ~51 pages), each as operations per second.
 */
export function measureMapper(count = 50_000): BenchResult[] {
  const { space } = mapperFixture({}, { start: 0x100_0000, end: 0x200_0000 });
  const flags = pageFlags({ writable: true });
  const ro = pageFlags();
  const vas = Array.from({ length: count }, (_, i) => virtAddr(u64(0, i * 10 * PAGE_4K)));
  const rate = (op: (i: number) => boolean): number => {
    const start = cpuSeconds();
    for (let i = 0; i < count; i++) if (!op(i)) throw new Error(`mapper benchmark: operation ${i} failed`);
    return count / Math.max(cpuSeconds() - start, 1e-6);
  };
  const mapRate = rate((i) => space.map(vas[i]!, (0x4000_0000 + i * PAGE_4K) as PhysAddr, PAGE_4K, flags).ok);
  const protectRate = rate((i) => space.protect(vas[i]!, PAGE_4K, ro).ok);
  const unmapRate = rate((i) => space.unmap(vas[i]!, PAGE_4K).ok);
  return [
    { name: 'mapper: map 4 KiB', value: mapRate, unit: 'ops/s', note: `${count} pages, ten slots apart` },
    { name: 'mapper: protect 4 KiB', value: protectRate, unit: 'ops/s' },
    { name: 'mapper: unmap 4 KiB', value: unmapRate, unit: 'ops/s' },
  ];
}

export const benchmarks: Benchmark[] = [
  {
    name: 'hot translations',
    group: 'paging',
    run: () => measureWorkload(hotWorkload(), HOT_TARGET),
  },
  {
    name: 'random translations',
    group: 'paging',
    async run() {
      const w = randomWorkload();
      const results = await measureWorkload(w, RANDOM_TARGET);
      const tables = w.state.memory.frameCount;
      const shape = `${w.pages.pages4K} × 4 KiB + ${w.pages.pages2M} × 2 MiB + ${w.pages.pages1G} × 1 GiB pages, ${tables} table frames, ${w.vas.length} addresses`;
      return [...results.slice(0, 1).map((r) => ({ ...r, note: `${shape}; ${r.note ?? ''}` })), ...results.slice(1)];
    },
  },
  {
    name: 'mapper operations',
    group: 'paging',
    run: async () => measureMapper(),
  },
];
