/**
 * Differential fuzzing of an implementation against the model (suite `paging`): fast-check
 * draws paging cases (paging-arbitrary.ts), the implementation answers each through its
 * adapter, and the suite judge compares the answer with the model's permitted set. On the
 * first difference fast-check shrinks the case to a minimal one; the result carries it as
 * a vector, the differences, and the fast-check path that replays exactly that case.
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { definition as paging } from '../suites/paging.ts';
import { hasDeviations, type AdapterFactory } from '../adapters/types.ts';
import type { DiffEntry } from '../results.ts';
import { FEATURES, type Feature } from '../../model/paging/types.ts';
import type { Adapter, Answer, ImplInfo, JsonObject, Profile, Vector } from '../types.ts';
import { buildPagingCase, pagingChoice } from './paging-arbitrary.ts';
import { pagingCaseArbitrary, type PagingCase } from '../../vectors/generate/paging-arbitrary.ts';
import { profileMismatch } from '../runner/profile.ts';
import { pagingVector } from './vector.ts';
import { walk } from '../../model/paging/walk.ts';
import { runnerConstraintProblems } from '../../vectors/generate/constraints.ts';
import { cpuToJson, pagingInputFromModel } from '../../vectors/io/paging.ts';

export interface FuzzOptions {
  readonly factory: AdapterFactory;
  readonly seed: number;
  readonly runs: number;
  readonly timeoutMs: number;
  readonly workDir: string;
  /** fast-check's counterexample path: replays only that case (and its shrinks). */
  readonly path?: string;
}

/** How one case went. */
export type CaseOutcome =
  | { readonly kind: 'same' }
  | { readonly kind: 'unsupported'; readonly reason: string }
  /** Differs, but the adapter names a documented deviation (spec/deviations) that explains it. */
  | { readonly kind: 'deviation'; readonly id: string }
  | { readonly kind: 'differs'; readonly diff: readonly DiffEntry[]; readonly observed: unknown }
  | { readonly kind: 'error'; readonly reason: string };

export interface Counterexample {
  readonly vector: Vector;
  readonly outcome: Extract<CaseOutcome, { kind: 'differs' | 'error' }>;
  readonly path: string;
  readonly shrinks: number;
  readonly afterRuns: number;
}

export interface FuzzResult {
  readonly impl: ImplInfo;
  readonly seed: number;
  readonly runs: number;
  readonly unsupported: number;
  /** Cases that differed only as a documented deviation explains (not counterexamples). */
  readonly deviations: number;
  /** Cases asked one at a time (shrinking, or a draw the batch pass did not foresee). */
  readonly singleCalls: number;
  readonly counterexample?: Counterexample;
}

/**
 * The cases fuzzing draws: the vectors helper's guest-runnable arbitrary (vectors/generate,
 * shared tables, neighbour noise, CR3 low bits) and this folder's choice-based one (every
 * flag and key per entry, canonical and non-canonical addresses), half and half. Both are
 * restricted to the implementation's profile, so every case is one it can honour, and —
 * for implementations that run vectors in a guest (QEMU, OVMF) — to cases that meet the
 * guest runner's constraints (spec/vector-constraints.ts).
 */
export function casesFor(profile: Profile | undefined, guest = false): fc.Arbitrary<PagingCase> {
  let mine = pagingChoice;
  if (profile !== undefined) {
    const features = FEATURES.filter((f: Feature) => profile.features.includes(f));
    mine = mine.map((c) => ({ ...c, maxphyaddr: profile.maxphyaddr, features }));
  }
  let theirs = pagingCaseArbitrary();
  if (profile !== undefined) theirs = theirs.filter((c) => profileMismatch(profile, { cpu: cpuToJson(c.state.cpu) } as unknown as JsonObject) === undefined);
  let arb = fc.oneof(mine.map(buildPagingCase), theirs);
  if (guest) arb = arb.filter((c) => runnerConstraintProblems(pagingInputFromModel(c.state, c.access), walk(c.state, c.access)).length === 0);
  return arb;
}

/** The id a counterexample vector gets: stable for the same input. */
function fuzzId(v: Vector): string {
  return 'fuzz-' + createHash('sha256').update(JSON.stringify(v.input)).digest('hex').slice(0, 12);
}

async function judgeOne(adapter: Adapter, vector: Vector, timeoutMs: number): Promise<CaseOutcome> {
  const [answer] = await adapter.run([vector], { timeoutMs });
  return outcomeOf(adapter, vector, answer);
}

function outcomeOf(adapter: Adapter, vector: Vector, answer: Answer | undefined): CaseOutcome {
  const o = rawOutcome(vector, answer);
  if (o.kind !== 'differs' || !hasDeviations(adapter)) return o;
  const id = adapter.deviationFor(vector, o.observed as JsonObject, o.diff);
  return id === undefined ? o : { kind: 'deviation', id };
}

function rawOutcome(vector: Vector, answer: Answer | undefined): CaseOutcome {
  if (answer === undefined) return { kind: 'error', reason: 'the adapter gave no answer' };
  if ('error' in answer) return { kind: 'error', reason: answer.error };
  if ('unsupported' in answer) return { kind: 'unsupported', reason: answer.unsupported };
  const diff = paging.judge(vector, answer.output);
  return diff.length === 0 ? { kind: 'same' } : { kind: 'differs', diff, observed: answer.output };
}

function caseVector({ state, access }: PagingCase): Vector {
  const v = pagingVector('fuzz', 'fuzz case', state, access);
  return { ...v, id: fuzzId(v) };
}

export async function fuzzPaging(options: FuzzOptions): Promise<FuzzResult> {
  const adapter = await options.factory.create({ spec: options.factory.spec, lane: 0, lanes: 1, workDir: options.workDir });
  try {
    const impl = await adapter.hello(['paging']);
    if (!impl.suites.includes('paging')) throw new Error(`${impl.name} does not implement suite paging`);
    let unsupported = 0;
    let deviations = 0;
    let singleCalls = 0;
    let last: { choice: PagingCase; outcome: CaseOutcome } | undefined;
    const arb = casesFor(impl.profile, impl.kind === 'qemu' || impl.kind === 'ovmf');
    const params = { seed: options.seed, numRuns: options.runs };
    // Answer the cases fast-check will draw in batches first (a QEMU batch boots once for
    // thousands of cases); the property then finds them answered, and only shrinking asks
    // the implementation one case at a time. fast-check draws the same values for the same seed.
    const answered = new Map<string, CaseOutcome>();
    if (options.path === undefined) {
      const drawn: Vector[] = [];
      fc.check(fc.property(arb, (choice) => { drawn.push(caseVector(choice)); }), params);
      const size = Math.max(1, options.factory.batchSize);
      for (let i = 0; i < drawn.length; i += size) {
        const batch = drawn.slice(i, i + size);
        const answers = await adapter.run(batch, { timeoutMs: options.timeoutMs });
        batch.forEach((v, k) => answered.set(v.id, outcomeOf(adapter, v, answers[k])));
      }
    }
    const property = fc.asyncProperty(arb, async (choice) => {
      const vector = caseVector(choice);
      let outcome = answered.get(vector.id);
      if (outcome === undefined) {
        singleCalls++;
        outcome = await judgeOne(adapter, vector, options.timeoutMs);
      }
      if (outcome.kind === 'unsupported') unsupported++;
      if (outcome.kind === 'deviation') deviations++;
      if (outcome.kind === 'differs' || outcome.kind === 'error') {
        last = { choice, outcome };
        return false;
      }
      return true;
    });
    const details = await fc.check(property, {
      ...params,
      ...(options.path !== undefined ? { path: options.path, endOnFailure: true } : {}),
    });
    if (!details.failed) return { impl, seed: options.seed, runs: details.numRuns, unsupported, deviations, singleCalls };
    const choice = details.counterexample?.[0];
    if (choice === undefined) throw details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance));
    // Re-run the shrunk case itself so the reported differences are exactly its own.
    const vector = caseVector(choice);
    let outcome = await judgeOne(adapter, vector, options.timeoutMs);
    if (outcome.kind !== 'differs' && outcome.kind !== 'error') {
      outcome = last?.outcome.kind === 'differs' || last?.outcome.kind === 'error' ? last.outcome : { kind: 'error', reason: 'the difference did not reproduce on a second run (a flaky implementation?)' };
    }
    const title = outcome.kind === 'differs'
      ? `fuzz: ${outcome.diff.map((d) => d.clause ?? d.path).filter((x, i, a) => a.indexOf(x) === i).join(', ')} differs from the model`
      : `fuzz: the implementation failed (${outcome.reason.slice(0, 80)})`;
    return {
      impl,
      seed: options.seed,
      runs: details.numRuns,
      unsupported,
      deviations,
      singleCalls,
      counterexample: {
        vector: { ...vector, title },
        outcome: outcome as Counterexample['outcome'],
        path: details.counterexamplePath ?? '',
        shrinks: details.numShrinks,
        afterRuns: details.numRuns,
      },
    };
  } finally {
    await adapter.close().catch(() => undefined);
    await options.factory.dispose?.().catch(() => undefined);
  }
}
