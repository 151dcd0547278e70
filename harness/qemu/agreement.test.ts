/**
 * QEMU held against the model: the paging corpus on QEMU's TCG MMU. Green only when
 * every case passes or is a documented deviation (spec/deviations/qemu.json), no case
 * errors, and every documented deviation still reproduces. `npm test` runs a CI subset
 * (every third vector of the five largest CPU profiles); X64SPEC_DEEP=1 runs the corpus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVectorFiles } from '../../vectors/io/index.ts';
import type { LocatedVector, Vector } from '../types.ts';
import { QemuAdapter } from './adapter.ts';
import { judgeAnswer, summarise, type CaseVerdict } from './agreement.ts';
import { ensureBuilt } from './build.ts';
import { loadDeviations, matchDeviations, type Deviation } from './deviations.ts';
import { qemuAvailability } from './register-adapter.ts';

const DEEP = process.env.X64SPEC_DEEP === '1';
/** Why a vector may be unsupported on QEMU (adapter.ts / prepare.ts); anything else fails. */
const ALLOWED_UNSUPPORTED = [/implicit supervisor-mode (write|fetch) has no faithful trigger/, /implicit access at a non-canonical address/, /descriptor read at this address would cross/];

let adapter: QemuAdapter;
let deviations: Deviation[];

beforeAll(() => {
  const a = qemuAvailability();
  if (!a.available) throw new Error(`the QEMU agreement test needs QEMU: ${a.reason}`);
  ensureBuilt();
  deviations = loadDeviations();
  adapter = new QemuAdapter({ bootAllowanceMs: 20_000 });
});

afterAll(async () => {
  await adapter?.close();
});

function ciSubset(vectors: readonly LocatedVector[]): LocatedVector[] {
  const key = (v: Vector) => {
    const cpu = v.input.cpu as { maxphyaddr: number; features: string[] };
    return `${cpu.maxphyaddr}${cpu.features.includes('pdpe1gb') ? '+1g' : ''}`;
  };
  const sizes = new Map<string, number>();
  for (const v of vectors) sizes.set(key(v), (sizes.get(key(v)) ?? 0) + 1);
  const big = new Set([...sizes].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k]) => k));
  return vectors.filter((v, i) => big.has(key(v)) && i % 3 === 0);
}

describe('QEMU agreement', () => {
  it('every documented deviation still reproduces on this QEMU, and only that deviation explains it', async () => {
    const vectors = deviations.map((d) => d.vector);
    const answers = await adapter.run(vectors, { timeoutMs: 5000 });
    deviations.forEach((d, i) => {
      const answer = answers[i]!;
      expect(answer, d.id).toHaveProperty('output');
      if (!('output' in answer)) return;
      expect(judgeAnswer(d.vector, answer, []).verdict, `${d.id} no longer disagrees with the SDM`).toBe('fail');
      expect(matchDeviations(deviations, d.vector, answer.output)?.map((m) => m.id), d.id).toEqual([d.id]);
    });
  });

  it(`QEMU agrees with the ${DEEP ? 'whole paging corpus' : 'CI subset of the paging corpus'} apart from documented deviations`, async () => {
    const read = readVectorFiles(['vectors/paging']);
    expect(read.problems).toEqual([]);
    const vectors = DEEP ? read.vectors : ciSubset(read.vectors);
    expect(vectors.length).toBeGreaterThan(DEEP ? 5000 : 2000);
    const answers = await adapter.run(vectors, { timeoutMs: 5000 });
    const verdicts: CaseVerdict[] = vectors.map((v, i) => judgeAnswer(v, answers[i]!, deviations));
    const summary = summarise(verdicts);
    console.log(`QEMU agreement over ${summary.total} vectors: ${JSON.stringify(summary)}`);
    const problems = verdicts.flatMap((v, i) => {
      const at = `${vectors[i]!.id} (${vectors[i]!.source.file}:${vectors[i]!.source.line})`;
      if (v.verdict === 'fail') return [`${at}: ${JSON.stringify(v.diff)} observed ${JSON.stringify(answers[i])}`];
      if (v.verdict === 'error') return [`${at}: error: ${v.reason}`];
      if (v.verdict === 'unsupported' && !ALLOWED_UNSUPPORTED.some((r) => r.test(v.reason))) return [`${at}: unexpectedly unsupported: ${v.reason}`];
      return [];
    });
    expect(problems.slice(0, 20)).toEqual([]);
    expect(summary.pass).toBeGreaterThan(summary.total / 2);
  });
});
