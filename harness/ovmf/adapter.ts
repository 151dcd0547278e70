/**
 * The `ovmf` adapter: real UEFI firmware (OVMF under QEMU TCG) answering `uefi` vectors
 * that run on the firmware's own map and `handoff` vectors that say where to place the
 * loader. One boot per vector (a script cannot undo an ExitBootServices), two QEMUs at a
 * time per lane; every case gets exactly one answer.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { Adapter, Answer, ImplInfo, RunOptions, Suite, Vector } from '../types.ts';
import { bootMany, checkOvmfTools, OVMF_CODE } from './boot.ts';
import { ensureBuilt } from './build.ts';
import { planHandoff, planUefi, type Plan } from './translate.ts';

const SUITES: readonly Suite[] = ['uefi', 'handoff'];

function packageVersion(pkg: string): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}

export class OvmfAdapter implements Adapter {
  readonly kind = 'ovmf' as const;
  private readonly parallel: number;

  constructor(private readonly spec = 'ovmf', lanes = 1) {
    this.parallel = Math.max(1, Math.floor(availableParallelism() / Math.max(1, lanes)));
  }

  async hello(suites: readonly Suite[]): Promise<ImplInfo> {
    await checkOvmfTools();
    ensureBuilt();
    return {
      spec: this.spec,
      kind: 'ovmf',
      name: 'OVMF (EDK2) under QEMU TCG',
      version: packageVersion('ovmf'),
      suites: SUITES.filter((s) => suites.includes(s)),
      profile: { maxphyaddr: 40, features: ['nx', 'smep', 'smap', 'pku', 'pdpe1gb'] },
      details: { firmware: OVMF_CODE, qemu: packageVersion('qemu-system-x86'), cpu: '-cpu max (TCG), q35, 256 MiB' },
    };
  }

  async run(cases: readonly Vector[], options: RunOptions): Promise<Answer[]> {
    const plans: Plan[] = cases.map((v) => {
      try {
        if (v.suite === 'uefi') return planUefi(v.input);
        if (v.suite === 'handoff') return planHandoff(v.input);
        return { unsupported: `OVMF answers the uefi and handoff suites, not ${v.suite}` };
      } catch (err) {
        return { unsupported: `cannot translate the vector for OVMF: ${(err as Error).message}` };
      }
    });
    const runnable = plans.flatMap((p, i) => ('files' in p ? [i] : []));
    // A boot takes 4–10 s; the case time limit applies on top of that.
    const boots = await bootMany(runnable.map((i) => (plans[i] as Extract<Plan, { files: unknown }>).files), this.parallel, { timeoutMs: 60_000 + options.timeoutMs })
      .catch((err: Error) => err);
    return cases.map((v, i): Answer => {
      const p = plans[i]!;
      if ('unsupported' in p) return { id: v.id, unsupported: p.unsupported };
      if (boots instanceof Error) return { id: v.id, error: boots.message };
      const out = p.read(boots[runnable.indexOf(i)]!);
      return 'error' in out ? { id: v.id, error: out.error } : { id: v.id, output: out.output };
    });
  }

  async close(): Promise<void> {}
}
