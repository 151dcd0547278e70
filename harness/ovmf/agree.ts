/**
 * Does OVMF do what the model's firmware says? For every step of a script it compares
 * the status OVMF returned with the model's status and with the set the specification
 * permits, the sizes GetMemoryMap reported (as bounds), DescriptorSize and version, and
 * whether the map key changed where the rules say it must, may or must not.
 */
import type { UefiClauseId } from '../../spec/clauses/uefi.ts';
import { parseHex, toNumber } from '../../model/paging/u64.ts';
import { EDK2_CONFIG, statusFromValue } from '../../model/uefi/index.ts';
import type { ConsoleReport, StepLine } from './console.ts';
import { stepKeyRule, type StepPrediction } from './script.ts';

export interface Disagreement {
  readonly step: number;
  readonly cmd: string;
  readonly clause?: UefiClauseId;
  readonly message: string;
}

function num(line: StepLine, name: string): number | undefined {
  const v = line.fields[name];
  if (v === undefined) return undefined;
  const h = parseHex(v);
  return h !== undefined ? toNumber(h) : Number(v);
}

/** Every disagreement between the model's predictions and what OVMF printed (empty: they agree). */
export function compareWithOvmf(predictions: readonly StepPrediction[], report: ConsoleReport): Disagreement[] {
  const out: Disagreement[] = [];
  const byIndex = new Map(report.steps.map((s) => [s.index, s]));
  let lastKey: number | undefined;
  let ruleSinceKey: 'must' | 'may' | 'never' = 'never';
  let lastTooSmall: { step: number; size: number } | undefined;

  for (const p of predictions) {
    const line = byIndex.get(p.index);
    const bad = (message: string, clause?: UefiClauseId): void => {
      out.push(clause === undefined ? { step: p.index, cmd: p.step.cmd, message } : { step: p.index, cmd: p.step.cmd, clause, message });
    };
    if (line === undefined || line.cmd !== p.step.cmd) {
      bad(line === undefined ? 'OVMF printed no result for this step' : `OVMF printed step ${line.cmd}`);
      continue;
    }
    const last = p.results[p.results.length - 1];
    if (last !== undefined) {
      const raw = parseHex(line.fields.st ?? '');
      const observed = raw === undefined ? undefined : statusFromValue(raw);
      if (last.kind === 'forbidden') {
        bad(`the model forbids this call (${last.reason}); a script must not make it`, last.clause);
      } else if (observed === undefined) {
        bad(`OVMF returned status ${line.fields.st ?? '(none)'}, which the model does not know`);
      } else {
        if (!last.permitted.includes(observed)) bad(`OVMF returned ${observed}; the specification permits only ${last.permitted.join(', ')}`, last.clauses[0]);
        else if (observed !== last.status) bad(`OVMF returned ${observed}; the model's EDK2 behaviour is ${last.status}`, last.clauses[0]);
      }
      const info = last.kind === 'status' ? last.mapInfo : undefined;
      const dsize = num(line, 'dsize');
      if (info !== undefined && dsize !== info.descriptorSize) {
        bad(`DescriptorSize ${dsize} differs from the model's ${info.descriptorSize}`, 'UEFI.MMAP.DESCRIPTOR_SIZE');
      }
      if (last.kind === 'status' && last.status === 'EFI_SUCCESS' && info !== undefined) {
        if (num(line, 'ver') !== EDK2_CONFIG.descriptorVersion) bad(`descriptor version ${line.fields.ver}`, 'UEFI.MMAP.DESCRIPTOR_VERSION');
        const size = num(line, 'size') ?? -1;
        if (size % (dsize ?? 1) !== 0) bad(`map size ${size} is not a multiple of DescriptorSize`, 'UEFI.MMAP.DESCRIPTOR_SIZE');
        if (lastTooSmall !== undefined && ruleSinceKey === 'never' && size > lastTooSmall.size) {
          bad(`step ${lastTooSmall.step} said ${lastTooSmall.size} bytes would do, but the map then took ${size}`, 'UEFI.MMAP.BUFFER_TOO_SMALL');
        }
      }
      if (last.kind === 'status' && last.status === 'EFI_BUFFER_TOO_SMALL' && info !== undefined) {
        const size = num(line, 'size') ?? -1;
        // OVMF may report more than it needs (an upper bound), never less than the map it holds.
        if (size < info.mapSize) bad(`BUFFER_TOO_SMALL reported ${size} bytes, less than the ${info.mapSize} the map needs`, 'UEFI.MMAP.BUFFER_TOO_SMALL');
        lastTooSmall = { step: p.index, size };
      }
    }
    // Key changes between successful GetMemoryMap calls, judged by the rules (UEFI.MMAP.KEY_CHANGES).
    const rule = stepKeyRule(p);
    const key = p.step.cmd === 'gmm' || p.step.cmd === 'gmmexact' ? num(line, 'key') : undefined;
    if (key !== undefined && line.fields.st === '0x0') {
      if (lastKey !== undefined) {
        if (ruleSinceKey === 'must' && key === lastKey) bad('the map key did not change although pages were allocated or freed since the last GetMemoryMap', 'UEFI.MMAP.KEY_CHANGES');
        if (ruleSinceKey === 'never' && key !== lastKey) bad('the map key changed although nothing that may change the map was called', 'UEFI.MMAP.KEY_CHANGES');
      }
      lastKey = key;
      ruleSinceKey = 'never';
    } else if (rule === 'must' || (rule === 'may' && ruleSinceKey === 'never')) {
      ruleSinceKey = rule;
    }
    if (p.step.cmd === 'ebs' || p.step.cmd === 'exitloop') lastTooSmall = undefined;
    if (p.step.cmd === 'bs' && (p.phase === 'exited' || p.phase === 'virtual')) {
      for (const f of ['stbs', 'ebsptr', 'conout'] as const) {
        if (line.fields[f] !== '0x0') bad(`after a successful exit ${f} is ${line.fields[f]}, not NULL`, 'UEFI.EBS.SUCCESS_ENDS_BOOT_SERVICES');
      }
      if (line.fields.if !== '0') bad(`IF is ${line.fields.if} after the exit`, 'UEFI.EBS.INTERRUPTS_OFF');
    }
  }
  return out;
}
