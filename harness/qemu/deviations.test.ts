import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectToJson, permittedOutcome } from '../../model/paging/expectation.ts';
import { pagingInputToModel, type PagingInputJson } from '../../vectors/io/paging.ts';
import type { JsonObject } from '../types.ts';
import { QemuAdapter } from './adapter.ts';
import { DeviationsFileError, diffUnder, documentedDeviation, expectationUnder, loadDeviations } from './deviations.ts';

const deviations = loadDeviations();
const byId = new Map(deviations.map((d) => [d.id, d]));
const dir = mkdtempSync(join(tmpdir(), 'x64spec-dev-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(content: unknown): string {
  const f = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
}

describe('spec/deviations/qemu.json', () => {
  it('lists each deviation with clause, SDM section, QEMU version, effect and a vector', () => {
    expect(deviations.map((d) => d.id).sort()).toEqual([
      'QEMU-1G-LEAF-ACCESSED-ON-FAULT', 'QEMU-PDPTE-PS-WITHOUT-PDPE1GB', 'QEMU-PF-RSVD-WITHOUT-P', 'QEMU-SMAP-AC-LIFTS-IMPLICIT',
    ]);
    for (const d of deviations) {
      expect(d.clause).toMatch(/^PG\./);
      expect(d.sdm).toMatch(/^SDM Vol\. 3A §4\./);
      expect(d.qemu).toMatch(/^7\.2/);
    }
  });

  it('each vector\'s expectation is the model\'s permitted outcome (regenerate the line if the model changed)', () => {
    for (const d of deviations) {
      const { state, access } = pagingInputToModel(d.vector.input as unknown as PagingInputJson);
      expect(d.vector.expect, d.id).toEqual(expectToJson(permittedOutcome(state, access).expect));
    }
  });

  it('rejects a file without the documented shape, naming the place', () => {
    expect(() => loadDeviations(file('{'))).toThrow(DeviationsFileError);
    expect(() => loadDeviations(file({}))).toThrow(/\$\.deviations must be an array/);
    const good = deviations[0]!;
    expect(() => loadDeviations(file({ deviations: [{ ...good, sdm: '' }] }))).toThrow(/\$\.deviations\[0\]\.sdm must be a non-empty string/);
    expect(() => loadDeviations(file({ deviations: [{ ...good, effect: { kind: 'magic' } }] }))).toThrow(/effect\.kind must be one of/);
    expect(() => loadDeviations(file({ deviations: [good, good] }))).toThrow(/listed twice/);
    expect(() => loadDeviations(file({ deviations: [{ ...good, vector: { suite: 'elf' } }] }))).toThrow(/must be a paging vector line/);
  });
});

describe('deviation effects (what QEMU shows instead of the SDM outcome)', () => {
  it('rsvd-fault-without-p drops P from a reserved-bit fault', () => {
    const d = byId.get('QEMU-PF-RSVD-WITHOUT-P')!;
    const e = expectationUnder(d.vector, [d.effect]);
    expect(e.outcome === 'fault' && e.vector === 14 && e.errorCode).toBe(0x8);
  });

  it('feature-ignored re-derives the outcome as if the CPU had 1-GiB pages', () => {
    const d = byId.get('QEMU-PDPTE-PS-WITHOUT-PDPE1GB')!;
    const e = expectationUnder(d.vector, [d.effect]);
    expect(e.outcome === 'ok' && e.pa).toBe(0x403010);
  });

  it('huge-pdpte-accessed-on-fault lets the faulting 1-GiB leaf gain A', () => {
    const d = byId.get('QEMU-1G-LEAF-ACCESSED-ON-FAULT')!;
    const output: JsonObject = { outcome: 'fault', vector: 14, errorCode: '0x5', cr2: '0x403010', memory: ['0x2027', '0xa1'] };
    expect(diffUnder(d.vector, output, []).map((x) => x.clause)).toEqual(['PG.AD.FAULT_LEAF_UNCHANGED']);
    expect(diffUnder(d.vector, output, [d.effect])).toEqual([]);
    // it widens nothing else: a D bit is still a difference
    expect(diffUnder(d.vector, { ...output, memory: ['0x2027', '0xe1'] }, [d.effect])).not.toEqual([]);
  });

  it('smap-ac-lifts-implicit judges an implicit read at CPL < 3 with AC = 1 as an explicit one', () => {
    const d = byId.get('QEMU-SMAP-AC-LIFTS-IMPLICIT')!;
    const e = expectationUnder(d.vector, [d.effect]);
    expect(e.outcome === 'ok' && e.pa).toBe(0x5010);
    const atCpl3 = { ...d.vector, input: { ...d.vector.input, regs: { ...(d.vector.input.regs as JsonObject), cpl: 3 } } };
    expect(expectationUnder(atCpl3, [d.effect]).outcome).toBe('fault');
  });
});

describe('documentedDeviation (for the harness and the fuzzer)', () => {
  it('names the deviation behind a failing QEMU answer, and nothing for other answers or implementations', () => {
    const d = byId.get('QEMU-PF-RSVD-WITHOUT-P')!;
    const qemuSays: JsonObject = { outcome: 'fault', vector: 14, errorCode: '0x8', cr2: '0x403010', memory: ['0x2023', '0x3023', '0x4023', '0x8000000005003'] };
    expect(documentedDeviation('qemu', d.vector, qemuSays)).toBe('QEMU-PF-RSVD-WITHOUT-P');
    expect(documentedDeviation('process', d.vector, qemuSays)).toBeUndefined();
    expect(documentedDeviation('qemu', d.vector, { ...qemuSays, errorCode: '0xa' })).toBeUndefined();
  });
});

describe('QemuAdapter.deviationFor (the runner records it in CaseResult.deviation)', () => {
  it('names the deviation of a failing case and nothing for a passing one', async () => {
    const adapter = new QemuAdapter({ parallel: 1, workDir: dir });
    try {
      const d = byId.get('QEMU-PDPTE-PS-WITHOUT-PDPE1GB')!;
      const output: JsonObject = { outcome: 'ok', pa: '0x403010', memory: ['0x2023', '0xa3'] };
      const diff = diffUnder(d.vector, output, []).map((x) => ({ path: x.path, expected: x.observed, observed: x.observed }));
      expect(diff.length).toBeGreaterThan(0);
      expect(adapter.deviationFor(d.vector, output, diff)).toBe('QEMU-PDPTE-PS-WITHOUT-PDPE1GB');
      expect(adapter.deviationFor(d.vector, output, [])).toBeUndefined();
    } finally {
      await adapter.close();
    }
  });
});
