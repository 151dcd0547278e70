/**
 * The `qemu` adapter: paging vectors performed by QEMU's TCG x86-64 MMU through the
 * bare-metal guest runner (guest/runner.s). One adapter is one lane: one QEMU at a time,
 * with its own guest-RAM file. A batch is split by CPU profile (cpu.ts), each profile's
 * cases run in as few boots as fit, and every case gets exactly one answer.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DiffEntry } from '../results.ts';
import type { Adapter, Answer, ImplInfo, JsonObject, RunOptions, Suite, Vector } from '../types.ts';
import { documentedDeviation } from './deviations.ts';
import type { GuestCase } from './batch.ts';
import { ensureBuilt } from './build.ts';
import { QEMU_CPU_BASE, ALWAYS_FEATURES, profileKey, qemuCpuArg, type QemuProfile } from './cpu.ts';
import { execute, type CaseRecord } from './execute.ts';
import { interpret } from './interpret.ts';
import { GUEST_RAM_MIB, QBOOT, QEMU_BINARY, removeStaleRamFiles, shmWithRoom, type BootFiles } from './launch.ts';
import { settingsOrder } from './order.ts';
import { prepare } from './prepare.ts';

/** Boot allowance plus a per-case allowance far above the ≈ 12 µs a case takes. */
export const BOOT_ALLOWANCE_MS = 10_000;
export const PER_CASE_ALLOWANCE_MS = 0.5;
const STDERR_TAIL = 64 * 1024;
/** A profile is split across parallel QEMUs only into parts of at least this many cases. */
const MIN_SPLIT = 2_000;

/** QEMU's version line, or undefined when the binary is missing. */
export function qemuVersion(): string | undefined {
  try {
    const text = execFileSync(QEMU_BINARY, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /version\s+(\S+)/.exec(text);
    return m === null ? text.split('\n')[0]!.trim() : m[1]!;
  } catch {
    return undefined;
  }
}

export interface QemuAdapterOptions {
  /** Scratch directory (batch file, console log); created if missing. */
  readonly workDir?: string;
  /** A name that keeps lanes' RAM files apart. */
  readonly lane?: number;
  /** Lanes of the run: this adapter runs up to cores / lanes QEMUs at once (default 1 lane). */
  readonly lanes?: number;
  /** QEMUs at once, overriding the cores / lanes rule. */
  readonly parallel?: number;
  /** Time a boot gets on top of its per-case allowance (default BOOT_ALLOWANCE_MS). */
  readonly bootAllowanceMs?: number;
  readonly spec?: string;
}

let instances = 0;

/** Statistics of an adapter's boots (the benchmark reads them). */
export interface BootStats {
  boots: number;
  cases: number;
}

export class QemuAdapter implements Adapter {
  readonly kind = 'qemu' as const;
  readonly stats: BootStats = { boots: 0, cases: 0 };
  /** One set of boot files per QEMU this adapter may run at once. */
  private readonly slots: BootFiles[];
  private readonly spec: string;
  private readonly bootAllowanceMs: number;
  private stderr = '';

  constructor(options: QemuAdapterOptions = {}) {
    const parallel = options.parallel ?? Math.max(1, Math.floor(availableParallelism() / Math.max(1, options.lanes ?? 1)));
    const base = options.workDir ?? join(tmpdir(), 'x64spec-qemu');
    if (instances === 0) removeStaleRamFiles('/dev/shm');
    const ramDir = shmWithRoom(parallel);
    this.slots = [];
    for (let k = 0; k < parallel; k++) {
      const id = `${process.pid}-${options.lane ?? 0}-${instances++}`;
      const dir = join(base, `qemu-${id}`);
      mkdirSync(dir, { recursive: true });
      this.slots.push({ dir, ramFile: join(ramDir ?? dir, `x64spec-qemu-${id}.ram`), tagged: false });
    }
    this.spec = options.spec ?? 'qemu';
    this.bootAllowanceMs = options.bootAllowanceMs ?? BOOT_ALLOWANCE_MS;
    // A 512 MiB RAM file in /dev/shm must not outlive a run that never calls close().
    process.once('exit', this.removeFiles);
  }

  private readonly removeFiles = (): void => {
    for (const f of this.slots) {
      rmSync(f.ramFile, { force: true });
      rmSync(f.dir, { recursive: true, force: true });
    }
  };

  async hello(suites: readonly Suite[]): Promise<ImplInfo> {
    void suites;
    const version = qemuVersion();
    if (version === undefined) throw new Error(`${QEMU_BINARY} not found: run \`apt-get install -y qemu-system-x86\` (or \`npm run setup\`)`);
    ensureBuilt();
    return {
      spec: this.spec,
      kind: 'qemu',
      name: 'QEMU TCG x86-64 MMU',
      version,
      suites: ['paging'],
      details: {
        binary: QEMU_BINARY,
        accel: 'tcg',
        machine: `pc, ${GUEST_RAM_MIB} MiB, 1 vCPU, firmware ${QBOOT ?? 'QEMU default (SeaBIOS)'}`,
        cpu: `${QEMU_CPU_BASE},${ALWAYS_FEATURES.map((f) => `+${f}`).join(',')},±pdpe1gb,phys-bits=<vector MAXPHYADDR>`,
        profiles: 'every vector runs on a CPU with its own MAXPHYADDR (phys-bits 32–52) and its own pdpe1gb; nx, smep, smap and pku are always present',
        example: qemuCpuArg({ maxphyaddr: 46, pdpe1gb: true }),
      },
    };
  }

  async run(cases: readonly Vector[], options: RunOptions): Promise<Answer[]> {
    const answers: (Answer | undefined)[] = new Array(cases.length);
    const groups = groupByProfile(cases, answers);
    if (groups.length > 0) {
      let kernel: string;
      try {
        kernel = ensureBuilt();
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        return cases.map((v, i) => answers[i] ?? { id: v.id, error: why });
      }
      const perCase = Math.min(PER_CASE_ALLOWANCE_MS, options.timeoutMs);
      const queue = splitForSlots(groups, this.slots.length);
      const worker = async (files: BootFiles) => {
        for (let g = queue.shift(); g !== undefined; g = queue.shift()) {
          const group = g;
          const records = await execute(group.guest, group.profile, {
            kernel,
            files,
            timeoutFor: (n) => this.bootAllowanceMs + Math.ceil(n * perCase) + (n === 1 ? options.timeoutMs : 0),
            onBoot: (n) => { this.stats.boots++; this.stats.cases += n; },
            onStderr: (text) => { this.stderr = (this.stderr + text).slice(-STDERR_TAIL); },
          });
          records.forEach((r, k) => {
            const i = group.index[k]!;
            answers[i] = answerFor(cases[i]!.id, group.guest[k]!, r);
          });
        }
      };
      await Promise.all(this.slots.map(worker));
    }
    return cases.map((v, i) => answers[i] ?? { id: v.id, error: 'the QEMU adapter produced no answer (internal error)' });
  }

  /**
   * The documented QEMU deviation (spec/deviations/qemu.json) behind a failing case, for
   * the runner's `CaseResult.deviation` (harness/adapters/types.ts HasDeviations).
   */
  deviationFor(vector: Vector, output: JsonObject, diff: readonly DiffEntry[]): string | undefined {
    return diff.length === 0 ? undefined : documentedDeviation('qemu', vector, output);
  }

  stderrTail(): string {
    return this.stderr;
  }

  async close(): Promise<void> {
    process.removeListener('exit', this.removeFiles);
    this.removeFiles();
  }
}

/** Cases of one CPU profile, with their positions in the batch. */
interface ProfileGroup {
  readonly profile: QemuProfile;
  readonly index: number[];
  readonly guest: GuestCase[];
}

/**
 * Prepares every case: the ones the runner cannot perform get their answer in `answers`
 * now, the others are grouped by CPU profile (one QEMU -cpu line per group).
 */
function groupByProfile(cases: readonly Vector[], answers: (Answer | undefined)[]): ProfileGroup[] {
  const groups = new Map<string, ProfileGroup>();
  cases.forEach((v, i) => {
    let p: ReturnType<typeof prepare>;
    try {
      p = prepare(v);
    } catch (err) {
      answers[i] = { id: v.id, error: `cannot prepare the case: ${err instanceof Error ? err.message : String(err)}` };
      return;
    }
    if (!p.ok) {
      answers[i] = 'unsupported' in p ? { id: v.id, unsupported: p.unsupported } : { id: v.id, error: p.error };
      return;
    }
    const key = profileKey(p.prepared.profile);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { profile: p.prepared.profile, index: [], guest: [] }));
    g.index.push(i);
    g.guest.push(p.prepared.guest);
  });
  return [...groups.values()].map(bySettings);
}

/** The group in the order that spares QEMU TLB flushes (order.ts). */
function bySettings(g: ProfileGroup): ProfileGroup {
  const order = settingsOrder(g.guest);
  return { profile: g.profile, index: order.map((k) => g.index[k]!), guest: order.map((k) => g.guest[k]!) };
}

/**
 * Work items for `slots` parallel QEMUs: each group, a big one split so every slot gets a
 * share (parts of at least MIN_SPLIT cases), largest first.
 */
function splitForSlots(groups: readonly ProfileGroup[], slots: number): ProfileGroup[] {
  const total = groups.reduce((n, g) => n + g.guest.length, 0);
  const share = Math.max(MIN_SPLIT, Math.ceil(total / slots));
  const parts: ProfileGroup[] = [];
  for (const g of groups) {
    for (let s = 0; s < g.guest.length; s += share) {
      parts.push({ profile: g.profile, index: g.index.slice(s, s + share), guest: g.guest.slice(s, s + share) });
    }
  }
  return parts.sort((a, b) => b.guest.length - a.guest.length);
}

function answerFor(id: string, c: GuestCase, r: CaseRecord): Answer {
  if ('error' in r) return { id, error: r.error };
  const i = interpret(c, r.raw);
  return 'output' in i ? { id, output: i.output } : { id, error: i.error };
}
