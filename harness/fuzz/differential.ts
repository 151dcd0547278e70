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
import type { AdapterFactory } from '../adapters/types.ts';
import type { DiffEntry } from '../results.ts';
import { FEATURES, type Feature } from '../../model/paging/types.ts';
import type { Adapter, ImplInfo, Profile, Vector } from '../types.ts';
import { buildPagingCase, pagingChoice, type PagingChoice } from './paging-arbitrary.ts';
import { pagingVector } from './vector.ts';

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
  readonly counterexample?: Counterexample;
}

/** Restricts choices to the implementation's profile, so every case is one it can honour. */
export function choicesFor(profile: Profile | undefined): fc.Arbitrary<PagingChoice> {
  if (profile === undefined) return pagingChoice;
  const features = FEATURES.filter((f: Feature) => profile.features.includes(f));
  return pagingChoice.map((c) => ({ ...c, maxphyaddr: profile.maxphyaddr, features }));
}

/** The id a counterexample vector gets: stable for the same input. */
function fuzzId(v: Vector): string {
  return 'fuzz-' + createHash('sha256').update(JSON.stringify(v.input)).digest('hex').slice(0, 12);
}

async function judgeOne(adapter: Adapter, vector: Vector, timeoutMs: number): Promise<CaseOutcome> {
  const [answer] = await adapter.run([vector], { timeoutMs });
  if (answer === undefined) return { kind: 'error', reason: 'the adapter gave no answer' };
  if ('error' in answer) return { kind: 'error', reason: answer.error };
  if ('unsupported' in answer) return { kind: 'unsupported', reason: answer.unsupported };
  const diff = paging.judge(vector, answer.output);
  return diff.length === 0 ? { kind: 'same' } : { kind: 'differs', diff, observed: answer.output };
}

function caseVector(choice: PagingChoice): Vector {
  const { state, access } = buildPagingCase(choice);
  const v = pagingVector('fuzz', 'fuzz case', state, access);
  return { ...v, id: fuzzId(v) };
}

export async function fuzzPaging(options: FuzzOptions): Promise<FuzzResult> {
  const adapter = await options.factory.create({ spec: options.factory.spec, lane: 0, lanes: 1, workDir: options.workDir });
  try {
    const impl = await adapter.hello(['paging']);
    if (!impl.suites.includes('paging')) throw new Error(`${impl.name} does not implement suite paging`);
    let unsupported = 0;
    let last: { choice: PagingChoice; outcome: CaseOutcome } | undefined;
    const property = fc.asyncProperty(choicesFor(impl.profile), async (choice) => {
      const outcome = await judgeOne(adapter, caseVector(choice), options.timeoutMs);
      if (outcome.kind === 'unsupported') unsupported++;
      if (outcome.kind === 'differs' || outcome.kind === 'error') {
        last = { choice, outcome };
        return false;
      }
      return true;
    });
    const details = await fc.check(property, {
      seed: options.seed,
      numRuns: options.runs,
      ...(options.path !== undefined ? { path: options.path, endOnFailure: true } : {}),
    });
    if (!details.failed) return { impl, seed: options.seed, runs: details.numRuns, unsupported };
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
