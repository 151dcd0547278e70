import { beforeAll, describe, expect, it } from 'vitest';
import { AGREEMENT_SCRIPT } from './agreement-script.ts';
import { compareWithOvmf } from './agree.ts';
import { appExitStatus, bootOvmf, type BootResult } from './boot.ts';
import { ensureBuilt } from './build.ts';
import { parseConsole, type ConsoleReport } from './console.ts';
import { predictScript, renderScript } from './script.ts';

// One OVMF boot runs every exit-flow scenario; the model's firmware, started from the map
// OVMF reported, must agree with it on every step.
let boot: BootResult;
let report: ConsoleReport;

beforeAll(async () => {
  ensureBuilt();
  boot = await bootOvmf({ script: renderScript(AGREEMENT_SCRIPT) });
  report = parseConsole(boot.console);
}, 180_000);

describe('OVMF and the model agree on the exit flow (one boot)', () => {
  it('the application ran every step and exited through isa-debug-exit', () => {
    expect(boot.timedOut).toBe(false);
    expect(report.started).toBe(true);
    expect(report.errors).toEqual([]);
    expect(report.steps.map((s) => s.cmd)).toEqual(AGREEMENT_SCRIPT.map((s) => s.cmd));
    expect(boot.exitStatus).toBe(appExitStatus(0x10));
    expect(boot.tripleFault).toBe(false);
  });

  it('UEFI.MMAP.DESCRIPTOR_SIZE / UEFI.MMAP.BUFFER_TOO_SMALL / UEFI.MMAP.KEY_CHANGES / UEFI.EBS.STALE_KEY / UEFI.SVAM.ONCE: every step agrees', () => {
    expect(report.map.length).toBeGreaterThan(20);
    const predictions = predictScript(AGREEMENT_SCRIPT, report.map);
    expect(compareWithOvmf(predictions, report)).toEqual([]);
  });

  it('UEFI.MMAP.DESCRIPTOR_SIZE: OVMF strides 48 bytes although the structure has 40', () => {
    const gmm = report.steps.find((s) => s.cmd === 'gmm')!;
    expect(gmm.fields.dsize).toBe('48');
  });

  it('UEFI.MMAP.BUFFER_TOO_SMALL: the size reported is an upper bound of what the map then takes', () => {
    const small = report.steps.find((s) => s.cmd === 'gmmsmall')!;
    const exact = report.steps.find((s) => s.cmd === 'gmmexact')!;
    expect(Number(small.fields.size)).toBeGreaterThanOrEqual(Number(exact.fields.size));
    expect(exact.fields.st).toBe('0x0');
  });

  it('UEFI.EBS.STALE_KEY / UEFI.EBS.AFTER_FAILURE / UEFI.SVAM.BEFORE_EXIT / UEFI.SVAM.DESCRIPTOR_CHECK / UEFI.SVAM.RUNTIME_NEEDS_VA: OVMF statuses', () => {
    const st = report.steps.map((s) => `${s.cmd}:${s.fields.st}`);
    expect(st.slice(24, 37)).toEqual([
      'ebs:0x8000000000000002', 'ebs:0x8000000000000002', 'svam:0x8000000000000003', 'fp:0x0', 'apl:0x0', 'fpl:0x0',
      'gmm:0x0', 'ebs:0x0', 'bs:0x0', 'svam:0x8000000000000002', 'svam:0x8000000000000002', 'svam:0x0', 'svam:0x8000000000000003',
    ]);
  });

  it('the comparison has teeth: a changed status, a too-low size and a frozen key are reported', () => {
    const predictions = predictScript(AGREEMENT_SCRIPT, report.map);
    const tamper = (index: number, fields: Record<string, string>): ConsoleReport => ({
      ...report,
      steps: report.steps.map((s) => (s.index === index ? { ...s, fields: { ...s.fields, ...fields } } : s)),
    });
    expect(compareWithOvmf(predictions, tamper(24, { st: '0x0' }))[0]?.clause).toBe('UEFI.EBS.STALE_KEY');
    expect(compareWithOvmf(predictions, tamper(0, { size: '48' }))[0]?.clause).toBe('UEFI.MMAP.BUFFER_TOO_SMALL');
    const keyAt3 = report.steps[3]!.fields.key!;
    expect(compareWithOvmf(predictions, tamper(6, { key: keyAt3 })).map((d) => d.clause)).toContain('UEFI.MMAP.KEY_CHANGES');
    expect(compareWithOvmf(predictions, tamper(3, { dsize: '40' })).map((d) => d.clause)).toContain('UEFI.MMAP.DESCRIPTOR_SIZE');
    expect(compareWithOvmf(predictions, tamper(32, { if: '1' })).map((d) => d.clause)).toContain('UEFI.EBS.INTERRUPTS_OFF');
  });
});
