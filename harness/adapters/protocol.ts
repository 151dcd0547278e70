/**
 * The x64spec-impl/1 messages (DESIGN.md "The implementation protocol"): what the harness
 * sends, and typed parsing of what an implementation answers. Every rejection says what
 * was wrong, so a malformed line becomes a readable `error` verdict.
 */
import { SUITES, type JsonObject, type JsonValue, type Profile, type Suite } from '../types.ts';

export const PROTOCOL = 'x64spec-impl/1';

export function helloLine(suites: readonly Suite[]): string {
  return JSON.stringify({ type: 'hello', protocol: PROTOCOL, suites });
}

export function caseLine(id: string, suite: Suite, input: JsonObject): string {
  return JSON.stringify({ type: 'case', id, suite, input });
}

export const BYE_LINE = JSON.stringify({ type: 'bye' });

export interface ImplHello {
  readonly name: string;
  readonly version: string;
  readonly suites: readonly Suite[];
  readonly profile?: Profile;
}

export type ResultMessage =
  | { readonly id: string; readonly output: JsonObject }
  | { readonly id: string; readonly unsupported: string };

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const fail = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

/** Shows at most `max` characters of a line in a message. */
export function excerpt(text: string, max = 120): string {
  return text.length <= max ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, max))}… (${text.length} characters)`;
}

function parseObject(line: string): Parsed<Record<string, JsonValue>> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return fail(`not JSON (${err instanceof Error ? err.message : String(err)}): ${excerpt(line)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`not a JSON object: ${excerpt(line)}`);
  return { ok: true, value: value as Record<string, JsonValue> };
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseProfile(v: JsonValue | undefined, where: string): Parsed<Profile | undefined> {
  if (v === undefined) return { ok: true, value: undefined };
  if (!isObject(v)) return fail(`${where}: profile must be an object`);
  const m = v.maxphyaddr;
  if (typeof m !== 'number' || !Number.isInteger(m) || m < 32 || m > 52) return fail(`${where}: profile.maxphyaddr must be an integer 32..52`);
  const f = v.features;
  if (!Array.isArray(f) || !f.every((x) => typeof x === 'string')) return fail(`${where}: profile.features must be an array of strings`);
  return { ok: true, value: { maxphyaddr: m, features: f as string[] } };
}

/** Parses the implementation's hello line. */
export function parseHello(line: string): Parsed<ImplHello> {
  const p = parseObject(line);
  if (!p.ok) return fail(`hello: ${p.problem}`);
  const o = p.value;
  if (o.type !== 'hello') return fail(`expected a hello, got type ${JSON.stringify(o.type ?? null)}: ${excerpt(line)}`);
  if (o.protocol !== PROTOCOL) return fail(`hello: protocol ${JSON.stringify(o.protocol ?? null)} is not ${PROTOCOL}`);
  if (typeof o.name !== 'string' || o.name === '') return fail('hello: name must be a non-empty string');
  if (typeof o.version !== 'string') return fail('hello: version must be a string');
  const s = o.suites;
  if (!Array.isArray(s) || !s.every((x): x is Suite => typeof x === 'string' && (SUITES as readonly string[]).includes(x))) {
    return fail(`hello: suites must be an array of ${SUITES.join('/')}, got ${excerpt(JSON.stringify(s ?? null))}`);
  }
  const profile = parseProfile(o.profile, 'hello');
  if (!profile.ok) return profile;
  return {
    ok: true,
    value: { name: o.name, version: o.version, suites: s, ...(profile.value !== undefined ? { profile: profile.value } : {}) },
  };
}

/** Parses one result line (not yet checked against the id the harness waits for). */
export function parseResult(line: string): Parsed<ResultMessage> {
  const p = parseObject(line);
  if (!p.ok) return p;
  const o = p.value;
  if (o.type !== 'result') return fail(`expected a result, got type ${JSON.stringify(o.type ?? null)}: ${excerpt(line)}`);
  if (typeof o.id !== 'string') return fail(`result without a string id: ${excerpt(line)}`);
  if (typeof o.unsupported === 'string') return { ok: true, value: { id: o.id, unsupported: o.unsupported } };
  if (!isObject(o.output)) return fail(`result ${o.id}: needs an object 'output' or a string 'unsupported'`);
  return { ok: true, value: { id: o.id, output: o.output } };
}
