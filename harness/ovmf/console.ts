/**
 * Reads what the OVMF test application printed on the debug console (app/x64spec.c):
 * the result line of every step, the first memory map, and the hand-off milestones.
 */
import { parseHex, toNumber, type U64 } from '../../model/paging/u64.ts';
import { descriptor, type MemoryDescriptor } from '../../model/uefi/index.ts';

export interface StepLine {
  readonly index: number;
  readonly cmd: string;
  /** Every `name=value` field, values as printed. */
  readonly fields: Readonly<Record<string, string>>;
}

export interface ConsoleReport {
  /** The banner was printed: the application started. */
  readonly started: boolean;
  readonly steps: readonly StepLine[];
  readonly map: readonly MemoryDescriptor[];
  /** `E …` lines: problems the application reported. */
  readonly errors: readonly string[];
  /** `H …` lines (region allocation, ready, jump). */
  readonly handoffLines: readonly string[];
  /** Milestone letters printed after `H jump` (T, S, P, E, K…): see switch.S. */
  readonly milestones: string;
  /** The first qword of the boot information as the kernel printed it. */
  readonly kernelBootInfo?: string;
  readonly done: boolean;
}

export function parseConsole(text: string): ConsoleReport {
  const steps: StepLine[] = [];
  const map: MemoryDescriptor[] = [];
  const errors: string[] = [];
  const handoffLines: string[] = [];
  let milestones = '';
  let kernelBootInfo: string | undefined;
  const lines = text.split('\n');
  let afterJump = false;
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (afterJump) {
      const k = /K([0-9a-f]{16})/.exec(line);
      milestones += line.replace(/K[0-9a-f]{16}.*/, 'K').replace(/[^TSPEK]/g, '');
      if (k) kernelBootInfo = `0x${k[1]!.replace(/^0+(?=.)/, '')}`;
      continue;
    }
    const fields: Record<string, string> = {};
    for (const m of line.matchAll(/(\w+)=(\S+)/g)) fields[m[1]!] = m[2]!;
    if (line.startsWith('R ')) {
      const m = /^R (\d+) (\w+)/.exec(line);
      if (m) steps.push({ index: Number(m[1]), cmd: m[2]!, fields });
    } else if (line.startsWith('M ')) {
      const n = (name: string): U64 => parseHex(fields[name] ?? '') ?? { hi: 0, lo: 0 };
      map.push(descriptor(Number(fields.type), toNumber(n('start')), Number(fields.pages), n('attr')));
    } else if (line.startsWith('E ')) {
      errors.push(line.slice(2));
    } else if (line.startsWith('H ')) {
      handoffLines.push(line.slice(2));
      if (line.startsWith('H jump')) afterJump = true;
    }
  }
  return {
    started: text.includes('X64SPEC-UEFI 1'),
    steps, map, errors, handoffLines, milestones,
    ...(kernelBootInfo !== undefined ? { kernelBootInfo } : {}),
    done: lines.some((l) => l.startsWith('DONE')),
  };
}
