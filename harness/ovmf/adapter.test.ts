import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SWITCH_S_LAYOUT } from '../../model/handoff/loader.ts';
import { parseVectorText } from '../../vectors/io/read.ts';
import { HANDOFF_CORPUS_FILE } from '../../vectors/handoff/generate.ts';
import { UEFI_CORPUS_FILE } from '../../vectors/uefi/generate.ts';
import { definition as handoffSuite } from '../suites/handoff.ts';
import { definition as uefiSuite } from '../suites/uefi.ts';
import type { Answer, Vector } from '../types.ts';
import { OvmfAdapter } from './adapter.ts';
import { ensureBuilt } from './build.ts';
import { ovmfAvailability } from './register-adapter.ts';

// The `ovmf` adapter runs corpus vectors on real firmware, one boot each, two at a time:
// every hand-off the checker predicts (runs, or triple-faults at a given step) must be
// what QEMU does, and OVMF's statuses must be inside the sets the uefi vectors permit.
const HANDOFF_IDS = [
  'handoff-recursive-none', 'handoff-recursive-trampoline-unmapped', 'handoff-recursive-stack-unmapped',
  'handoff-recursive-xd-with-nxe-off', 'handoff-recursive-entry-not-executable', 'handoff-recursive-boot-info-unmapped',
  'handoff-direct-map-none', 'handoff-direct-map-trampoline-unmapped', 'handoff-direct-map-xd-with-nxe-off',
  'handoff-identity-higher-half-none', 'handoff-identity-higher-half-entry-not-executable', 'handoff-identity-higher-half-boot-info-unmapped',
];
const UEFI_IDS = ['uefi-fw-sizes', 'uefi-fw-key-changes', 'uefi-fw-exit-flow'];

function load(file: string, ids: readonly string[]): Vector[] {
  const all = parseVectorText(readFileSync(file, 'utf8'), file).vectors;
  return ids.map((id) => {
    const v = all.find((x) => x.id === id);
    if (v === undefined) throw new Error(`${id} is not in ${file}`);
    return v;
  });
}

const vectors = [...load(HANDOFF_CORPUS_FILE, HANDOFF_IDS), ...load(UEFI_CORPUS_FILE, UEFI_IDS)];
let answers: Answer[];

beforeAll(async () => {
  const avail = ovmfAvailability();
  if (!avail.available) throw new Error(avail.reason);
  const adapter = new OvmfAdapter('ovmf', 1);
  const info = await adapter.hello(['uefi', 'handoff']);
  expect(info.suites).toEqual(['uefi', 'handoff']);
  answers = await adapter.run(vectors, { timeoutMs: 30_000 });
  await adapter.close();
}, 900_000);

describe('the ovmf adapter on real firmware', () => {
  it('the trampoline and kernel the application copies are the ones the corpus was built for', () => {
    expect(ensureBuilt().layout).toEqual(SWITCH_S_LAYOUT);
  });

  vectors.forEach((v, i) => {
    it(`${v.clauses.join(' / ')}: ${v.id}`, () => {
      const a = answers[i]!;
      expect(a.id).toBe(v.id);
      if (!('output' in a)) throw new Error(`no output: ${JSON.stringify(a)}`);
      const suite = v.suite === 'uefi' ? uefiSuite : handoffSuite;
      expect(suite.judge(v, a.output)).toEqual([]);
      if (v.suite === 'handoff') {
        expect(a.output.outcome).toBe(v.expect.outcome);
        // QEMU's exception log confirms the fault itself: its vector and CR2.
        if (v.expect.outcome === 'triple-fault') expect({ vector: a.output.vector, address: a.output.address }).toEqual({ vector: v.expect.vector, address: v.expect.address });
      }
    });
  });

  it('vectors OVMF cannot honour are unsupported, with the reason', async () => {
    const others = parseVectorText(readFileSync(UEFI_CORPUS_FILE, 'utf8'), UEFI_CORPUS_FILE).vectors.filter((v) => v.id === 'uefi-ebs-stale-key' || v.id === 'uefi-perturb-before-exit');
    const idt = parseVectorText(readFileSync(HANDOFF_CORPUS_FILE, 'utf8'), HANDOFF_CORPUS_FILE).vectors.filter((v) => v.id === 'handoff-idt-delivers');
    const got = await new OvmfAdapter().run([...others, ...idt, { ...idt[0]!, suite: 'paging' }], { timeoutMs: 1000 });
    expect(got.map((a) => ('unsupported' in a ? a.unsupported : 'ran'))).toEqual([
      'OVMF has its own memory map; only vectors with "map": "firmware" run on it',
      'OVMF has its own memory map; only vectors with "map": "firmware" run on it',
      'the vector does not say where the test application should place the region, trampoline and kernel (`ovmf`)',
      'OVMF answers the uefi and handoff suites, not paging',
    ]);
  });
});
