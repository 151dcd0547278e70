/**
 * Runs a list of guest cases of one profile through as few QEMU boots as possible. A
 * boot that hangs, resets or crashes keeps the records of the cases it completed; the
 * case it stopped at is retried alone (so one bad vector costs only itself) and the
 * rest go on in a new boot.
 */
import type { GuestCase, RawResult } from './batch.ts';
import type { QemuProfile } from './cpu.ts';
import { boot, describeEnd, fitsOneBoot, type BootFiles } from './launch.ts';

export type CaseRecord = { readonly raw: RawResult } | { readonly error: string };

export interface ExecuteOptions {
  readonly kernel: string;
  readonly files: BootFiles;
  /** Time limit of one boot for `n` cases. */
  readonly timeoutFor: (n: number) => number;
  /** Called once per QEMU boot (for statistics). */
  readonly onBoot?: (cases: number) => void;
  /** QEMU's stderr of each boot that printed any. */
  readonly onStderr?: (text: string) => void;
}

/** The largest prefix of `cases` that fits one boot's batch and results areas. */
function chunkEnd(cases: readonly GuestCase[], start: number): number {
  let end = cases.length;
  while (end - start > 1 && !fitsOneBoot(cases.slice(start, end))) end = start + Math.ceil((end - start) / 2);
  return end;
}

/** One record per case, in order. */
export async function execute(cases: readonly GuestCase[], profile: QemuProfile, options: ExecuteOptions): Promise<CaseRecord[]> {
  const out: CaseRecord[] = new Array<CaseRecord>(cases.length);
  let start = 0;
  while (start < cases.length) {
    const end = chunkEnd(cases, start);
    const chunk = cases.slice(start, end);
    options.onBoot?.(chunk.length);
    const b = await boot(options.kernel, chunk, profile, options.files, options.timeoutFor(chunk.length));
    if (b.stderr !== '') options.onStderr?.(b.stderr);
    b.results.forEach((raw, i) => { out[start + i] = { raw }; });
    if (b.results.length === chunk.length) {
      start = end;
      continue;
    }
    const why = describeEnd(b.end, b.console) + (b.stderr.trim() === '' ? '' : `; stderr: ${b.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    if (!b.started && b.end.kind !== 'timeout') {
      // Nothing ran at all (QEMU missing, refused its arguments, the runner did not start):
      // every remaining case gets the same error instead of one boot each.
      for (let i = start; i < cases.length; i++) out[i] = { error: why };
      return out;
    }
    const culprit = start + b.results.length;
    if (chunk.length === 1) {
      out[culprit] = { error: why };
    } else {
      options.onBoot?.(1);
      const alone = await boot(options.kernel, [cases[culprit]!], profile, options.files, options.timeoutFor(1));
      if (alone.stderr !== '') options.onStderr?.(alone.stderr);
      const raw = alone.results[0];
      out[culprit] = raw !== undefined
        ? { raw }
        : { error: `${describeEnd(alone.end, alone.console)} (alone; in its batch: ${why})` };
    }
    start = culprit + 1;
  }
  return out;
}
