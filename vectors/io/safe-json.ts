import type { JsonObject, JsonValue } from '../../harness/types.ts';
import { childPath } from './json-path.ts';

/**
 * Keys that must never reach code that copies or merges objects: with them a vector
 * could change the prototype of the objects a consumer builds. Lines holding one are
 * rejected, never merged or silently dropped.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type ParsedLine =
  | { readonly ok: true; readonly value: JsonObject }
  | { readonly ok: false; readonly code: 'json' | 'forbidden-key'; readonly path: string; readonly message: string };

/**
 * Parses one line as a JSON object and checks that no key anywhere in it is forbidden.
 * (JSON.parse creates `__proto__` as an ordinary own property, so a scan finds it.)
 */
export function parseJsonObjectLine(text: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: 'json', path: '$', message: `not valid JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'json', path: '$', message: `expected a JSON object, got ${describe(value)}` };
  }
  const bad = findForbiddenKey(value as JsonValue, '$');
  if (bad !== undefined) {
    return { ok: false, code: 'forbidden-key', path: bad.path, message: `forbidden key ${JSON.stringify(bad.key)}` };
  }
  return { ok: true, value: value as JsonObject };
}

/** The first forbidden key in `value` (depth first, in key order), with its path. */
export function findForbiddenKey(value: JsonValue, path: string): { path: string; key: string } | undefined {
  // An explicit stack: a hostile line nested thousands deep must not overflow the call stack.
  const stack: [JsonValue, string][] = [[value, path]];
  while (stack.length > 0) {
    const [v, p] = stack.pop()!;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i]!, childPath(p, i)]);
    } else if (typeof v === 'object' && v !== null) {
      const keys = Object.keys(v);
      for (const k of keys) if (FORBIDDEN_KEYS.has(k)) return { path: childPath(p, k), key: k };
      for (let i = keys.length - 1; i >= 0; i--) stack.push([v[keys[i]!]!, childPath(p, keys[i]!)]);
    }
  }
  return undefined;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}
