/**
 * What the `ovmf` adapter can run, and how: a `uefi` vector becomes a script for the test
 * application (one step per call), a `handoff` vector becomes a hand-off boot. Vectors
 * OVMF cannot honour (a map of their own, injected firmware activity, a CPU other than
 * QEMU TCG's, registers the application does not set) are `unsupported`, with the reason.
 */
import type { JsonObject, JsonValue } from '../types.ts';
import { parseHex, toNumber } from '../../model/paging/u64.ts';
import { statusFromValue } from '../../model/uefi/index.ts';
import { EDK2_CONFIG } from '../../model/uefi/index.ts';
import { parseHandoffInput } from '../../vectors/handoff/io.ts';
import { parseUefiInput, type CallJson, type Ref } from '../../vectors/uefi/io.ts';
import { appExitStatus, KERNEL_EXIT_STATUS, type BootFiles, type BootResult } from './boot.ts';
import { parseConsole } from './console.ts';
import { MILESTONES_BEFORE, MILESTONES_RUNS, placedBootFiles } from './handoff-boot.ts';
import { APP_MAP_CAPACITY, renderScript, type Step } from './script.ts';

/** What a boot said about a vector: the output in the suite's form, or why there is none. */
export type Reading = { readonly output: JsonObject } | { readonly error: string };

export type Plan = { readonly files: BootFiles; readonly read: (boot: BootResult) => Reading } | { readonly unsupported: string };

/** The CPU QEMU TCG's `-cpu max` gives OVMF (NOTES.md). */
export const OVMF_CPU = { maxphyaddr: 40, features: ['nx', 'smep', 'smap', 'pku', 'pdpe1gb'] } as const;
/** CR0 and CR4 as OVMF leaves them; the application does not change them (NOTES.md). */
export const OVMF_CR0 = 0x8001_0033;
export const OVMF_CR4 = 0x668;
const EXIT_VALUE = 0x10;

function stepOf(c: CallJson): Step | string {
  const stepRef = (r: Ref, what: string): number | string =>
    typeof r === 'object' && 'result' in r ? r.result : `${what} must refer to an earlier call ("result:N") on OVMF`;
  switch (c.op) {
    case 'GetMemoryMap':
      if (c.bufferSize === null) return { cmd: 'gmmnull' };
      if (!c.buffer) return { cmd: 'gmmnobuf', size: c.bufferSize };
      return c.bufferSize <= APP_MAP_CAPACITY ? { cmd: 'gmm', size: c.bufferSize } : `the application's map buffer holds ${APP_MAP_CAPACITY} bytes`;
    case 'AllocatePages':
      return c.kind === 'AnyPages' ? { cmd: 'ap', pages: c.pages, type: c.type } : `AllocatePages ${c.kind} is not scripted on OVMF (its map differs from the vector's)`;
    case 'FreePages': {
      const s = stepRef(c.address, 'the address');
      return typeof s === 'string' ? s : { cmd: 'fp', step: s, pages: c.pages };
    }
    case 'AllocatePool': return { cmd: 'apl', size: c.size, type: c.type };
    case 'FreePool': {
      const s = stepRef(c.pointer, 'the pointer');
      return typeof s === 'string' ? s : { cmd: 'fpl', step: s };
    }
    case 'ExitBootServices':
      if (typeof c.key === 'number') return { cmd: 'ebs', step: 65_535, literal: c.key };
      if ('mapKey' in c.key) return c.key.mapKey === 'latest' ? { cmd: 'ebs' } : { cmd: 'ebs', step: c.key.mapKey };
      return 'ExitBootServices needs a MapKey';
    case 'SetVirtualAddressMap':
      return { cmd: 'svam', size: c.descriptorSize, version: c.descriptorVersion, which: c.map === 'runtime-identity' ? 'rt' : 'rt-1' };
    case 'OtherBootService':
      return c.service === 'CreateEvent' ? { cmd: 'ce' } : c.service === 'Stall' ? { cmd: 'stall' } : `the application cannot call ${c.service}`;
    case 'OtherRuntimeService':
      return c.service === 'GetTime' ? { cmd: 'gettime' } : `the application cannot call ${c.service}`;
  }
}

function hexNumber(text: string | undefined): number | undefined {
  const h = text === undefined ? undefined : parseHex(text);
  return h === undefined ? undefined : toNumber(h);
}

/** Plans a `uefi` vector on OVMF. */
export function planUefi(input: JsonObject): Plan {
  const u = parseUefiInput(input);
  if (u.map !== 'firmware') return { unsupported: 'OVMF has its own memory map; only vectors with "map": "firmware" run on it' };
  if (u.perturbations.length > 0) return { unsupported: 'firmware activity cannot be injected into OVMF' };
  if (u.firmware.descriptorSize !== EDK2_CONFIG.descriptorSize || u.firmware.uefiRevision < 209 || !u.firmware.stopsTimerOnExitAttempt) {
    return { unsupported: 'the vector describes a firmware other than EDK2 (DescriptorSize 48, UEFI 2.9+, timer stopped on exit)' };
  }
  const steps: Step[] = [];
  for (const c of u.calls) {
    const s = stepOf(c);
    if (typeof s === 'string') return { unsupported: s };
    steps.push(s);
  }
  steps.push({ cmd: 'exit', value: EXIT_VALUE });
  return {
    files: { script: renderScript(steps) },
    read(boot): Reading {
      const report = parseConsole(boot.console);
      if (boot.timedOut) return { error: 'OVMF timed out' };
      if (!report.started) return { error: `the test application did not start: ${report.errors.join('; ') || 'no output'}` };
      if (boot.exitStatus !== appExitStatus(EXIT_VALUE)) return { error: `QEMU ended with status ${boot.exitStatus} before the script finished` };
      const results: JsonValue[] = u.calls.map((_, i) => {
        const line = report.steps.find((l) => l.index === i);
        if (line === undefined) return { skipped: 'no result printed' };
        if (line.fields.skipped !== undefined) return { skipped: 'boot services are gone after a successful ExitBootServices; the application did not call it' };
        const raw = parseHex(line.fields.st ?? '');
        const out: { [k: string]: JsonValue } = { status: raw === undefined ? `unknown ${line.fields.st}` : statusFromValue(raw) ?? `unknown ${line.fields.st}` };
        const size = line.fields.size;
        if (size !== undefined) out.mapSize = Number(size);
        if (line.fields.dsize !== undefined && line.cmd !== 'gmmnull') out.descriptorSize = Number(line.fields.dsize);
        if (line.fields.ver !== undefined) out.descriptorVersion = Number(line.fields.ver);
        const key = hexNumber(line.fields.key);
        if (key !== undefined && line.cmd !== 'ebs') out.key = key;
        if (line.fields.addr !== undefined) out.address = line.fields.addr;
        return out;
      });
      return { output: { results } };
    },
  };
}

const STAGE_BY_MILESTONES = new Map(Object.entries(MILESTONES_BEFORE).map(([stage, m]) => [m, stage]));

/** Plans a `handoff` vector on OVMF. */
export function planHandoff(input: JsonObject): Plan {
  const h = parseHandoffInput(input);
  if (h.ovmf === undefined) return { unsupported: 'the vector does not say where the test application should place the region, trampoline and kernel (`ovmf`)' };
  const s = h.state;
  if (s.cpu.maxPhyAddr !== OVMF_CPU.maxphyaddr) return { unsupported: `QEMU TCG has MAXPHYADDR ${OVMF_CPU.maxphyaddr}, the vector ${s.cpu.maxPhyAddr}` };
  if (s.cr0.hi !== 0 || s.cr0.lo !== OVMF_CR0 || s.cr4.hi !== 0 || s.cr4.lo !== OVMF_CR4) return { unsupported: 'the application keeps OVMF\'s CR0 and CR4; the vector sets others' };
  if (s.gdtr !== undefined || s.firmwareCr3 !== undefined) return { unsupported: 'the application does not load a GDT or use given firmware tables' };
  let files: BootFiles;
  try {
    files = placedBootFiles(s, h.ovmf);
  } catch (err) {
    return { unsupported: (err as Error).message };
  }
  return {
    files,
    read(boot): Reading {
      const report = parseConsole(boot.console);
      if (boot.timedOut) return { error: `OVMF timed out after milestones '${report.milestones}'` };
      const exit = report.steps.find((l) => l.cmd === 'exitloop');
      if (exit === undefined) {
        // e.g. `H region st=0x800000000000000e`: the loader region is not free on this OVMF.
        return { error: `the application stopped before the exit: ${[...report.handoffLines, ...report.errors].join(' | ') || 'no output'}` };
      }
      if (exit.fields.st !== '0x0') return { error: `ExitBootServices did not succeed: ${JSON.stringify(exit.fields)}` };
      if (!boot.tripleFault && boot.exitStatus === KERNEL_EXIT_STATUS && report.milestones === MILESTONES_RUNS) return { output: { outcome: 'runs' } };
      const stage = STAGE_BY_MILESTONES.get(report.milestones);
      if (boot.tripleFault && stage !== undefined) {
        // The first exception of the chain that ended in the shutdown is the fault itself.
        const first = boot.lastExceptionChain[0];
        const seen = first === undefined ? {} : { vector: first.vector, ...(first.vector === 14 && first.cr2 !== undefined ? { address: first.cr2 } : {}) };
        return { output: { outcome: 'triple-fault', stage, ...seen } };
      }
      return { error: `unexpected end: milestones '${report.milestones}', exit status ${boot.exitStatus}, triple fault ${boot.tripleFault}` };
    },
  };
}
