import type { JsonValue, Vector } from '../../harness/types.ts';
import { expectToJson, permittedOutcome } from '../../model/paging/expectation.ts';
import { toHex, toNumber } from '../../model/paging/u64.ts';
import { asMapperInput } from '../io/mapper.ts';
import { childPath } from '../io/json-path.ts';
import { asPagingInput, cpuFromJson, hex, pagingInputToModel } from '../io/paging.ts';
import { enumerateTranslations, translationToJson } from './mapper-translations.ts';
import { runMapperModel } from './mapper-run.ts';

/** Where a vector's expectation departs from what the model computes now. */
export interface ExpectMismatch {
  readonly path: string;
  readonly vector: JsonValue;
  readonly model: JsonValue;
}

/**
 * Recomputes a valid vector's expectation with the model and returns the first
 * difference, `null` when they agree, or `undefined` for suites the model cannot
 * recompute here. Hex values are compared by value (either case, any padding) and
 * permitted sets as sets.
 */
export function modelExpectMismatch(v: Vector): ExpectMismatch | null | undefined {
  switch (v.suite) {
    case 'paging': {
      const { state, access } = pagingInputToModel(asPagingInput(v.input));
      return firstDifference(normalize(v.expect), normalize(expectToJson(permittedOutcome(state, access).expect) as unknown as JsonValue), '$.expect');
    }
    case 'mapper': {
      const input = asMapperInput(v.input);
      const run = runMapperModel(input);
      const translations = enumerateTranslations(run.memory, cpuFromJson(input.cpu), toNumber(hex(input.cr3)), input.nxe).ranges.map(translationToJson);
      return firstDifference(normalize(v.expect), normalize({ results: run.results, translations } as unknown as JsonValue), '$.expect');
    }
    default:
      return undefined;
  }
}

const HEX = /^0[xX][0-9a-fA-F]{1,16}$/;

/** Canonical hex, and arrays of values (permitted sets, memory lists) in a fixed order. */
function normalize(v: JsonValue): JsonValue {
  if (typeof v === 'string') return HEX.test(v) ? toHex(hex(v)) : v;
  if (Array.isArray(v)) {
    const items = v.map(normalize);
    // `oneOf` sets and `memory` lists (objects keyed by pa) have no meaningful order.
    if (items.every((x) => typeof x === 'string')) return [...items].sort();
    if (items.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x) && typeof x.pa === 'string' && 'oneOf' in x)) {
      return [...items].sort((a, b) => toNumber(hex((a as { pa: string }).pa)) - toNumber(hex((b as { pa: string }).pa)));
    }
    return items;
  }
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  return v;
}

function firstDifference(a: JsonValue, b: JsonValue, path: string): ExpectMismatch | null {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) return { path: childPath(path, i), vector: a[i] ?? null, model: b[i] ?? null };
      const d = firstDifference(a[i]!, b[i]!, childPath(path, i));
      if (d !== null) return d;
    }
    return null;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])]) {
      const d = firstDifference(a[k] ?? null, b[k] ?? null, childPath(path, k));
      if (d !== null) return d;
    }
    return null;
  }
  return a === b ? null : { path, vector: a, model: b };
}
