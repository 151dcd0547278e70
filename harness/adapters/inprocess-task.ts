/**
 * What runs inside a pool worker for the in-process adapters (`model`, `module`): it
 * loads the implementation once per worker and answers a batch of cases, publishing the
 * index of the case in progress in shared memory so the main thread can tell which case
 * hangs when it has to stop the worker.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { suiteDefinition } from '../suites/index.ts';
import { isUnsupported } from '../suites/types.ts';
import type { Answer, JsonObject, Profile, Suite } from '../types.ts';
import { SUITES } from '../types.ts';
import { parseProfile } from './protocol.ts';
import { projectVersion } from '../runner/results-file.ts';

export type ImplRef = { readonly kind: 'model' } | { readonly kind: 'module'; readonly path: string };

export interface CaseTask {
  readonly type: 'cases';
  readonly impl: ImplRef;
  /**
   * The cases as one JSON text (`{id, suite, input}[]`): measured faster than structured
   * cloning both to send and, on the worker side, to walk the parsed objects.
   */
  readonly cases: string;
  /** Int32Array over a SharedArrayBuffer: [0] = index of the case in progress. */
  readonly progress: Int32Array;
}

export interface HelloTask {
  readonly type: 'hello';
  readonly impl: ImplRef;
}

export interface ModuleInfo {
  readonly name: string;
  readonly version: string;
  readonly suites: readonly Suite[];
  readonly profile?: Profile;
}

export type HelloReply = { readonly ok: true; readonly info: ModuleInfo } | { readonly ok: false; readonly problem: string };

type SuiteFn = (input: JsonObject) => unknown;
type Impl = { readonly info: ModuleInfo; readonly fns: Partial<Record<Suite, SuiteFn>>; readonly trusted: boolean };

const loaded = new Map<string, Promise<Impl>>();

// A module that calls process.exit() would end this worker and strand its batch; make the
// call fail that one case instead (its answer becomes `error` with this message).
if (!isMainThread) {
  process.exit = ((code?: number | string | null) => {
    throw new Error(`the implementation called process.exit(${code ?? ''})`);
  }) as typeof process.exit;
}

function modelImpl(): Impl {
  const fns: Partial<Record<Suite, SuiteFn>> = {};
  for (const s of SUITES) {
    const d = suiteDefinition(s);
    if (d !== undefined) fns[s] = (input) => d.modelAnswer(input);
  }
  return { info: { name: 'x64spec model', version: projectVersion(), suites: Object.keys(fns) as Suite[] }, fns, trusted: true };
}

/**
 * Loads a module implementation. Shape (docs/harness.md): a named export per suite
 * (`export function paging(input) { … }`), each returning the output object, an
 * `{ unsupported: 'reason' }` object, or a promise of either; optionally
 * `export const implementation = { name, version, profile }`.
 */
async function loadModule(path: string): Promise<Impl> {
  const mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  const fns: Partial<Record<Suite, SuiteFn>> = {};
  for (const s of SUITES) {
    const f = mod[s];
    if (typeof f === 'function') fns[s] = f as SuiteFn;
  }
  const suites = Object.keys(fns) as Suite[];
  if (suites.length === 0) throw new Error(`${path} exports no suite function (export function paging(input) { … })`);
  const meta = mod.implementation;
  let name = path;
  let version = '';
  let profile: Profile | undefined;
  if (meta !== undefined) {
    if (typeof meta !== 'object' || meta === null) throw new Error(`${path}: 'implementation' must be an object`);
    const m = meta as Record<string, unknown>;
    if (m.name !== undefined && typeof m.name !== 'string') throw new Error(`${path}: implementation.name must be a string`);
    if (m.version !== undefined && typeof m.version !== 'string') throw new Error(`${path}: implementation.version must be a string`);
    name = (m.name as string | undefined) ?? name;
    version = (m.version as string | undefined) ?? version;
    const p = parseProfile(m.profile as never, `${path}: implementation`);
    if (!p.ok) throw new Error(p.problem);
    profile = p.value;
  }
  return { info: { name, version, suites, ...(profile !== undefined ? { profile } : {}) }, fns, trusted: false };
}

function load(impl: ImplRef): Promise<Impl> {
  const key = impl.kind === 'model' ? '\0model' : impl.path;
  let p = loaded.get(key);
  if (p === undefined) {
    p = impl.kind === 'model' ? Promise.resolve(modelImpl()) : loadModule(impl.path);
    loaded.set(key, p);
  }
  return p;
}

function message(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Checks an untrusted answer is a plain JSON object and copies it (no functions, bigints, cycles). */
function asJsonObject(value: unknown): JsonObject | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `returned ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}, not an object`;
  try {
    return JSON.parse(JSON.stringify(value)) as JsonObject;
  } catch (err) {
    return `returned a value that is not JSON (${message(err)})`;
  }
}

type TaskCase = { readonly id: string; readonly suite: Suite; readonly input: JsonObject };

async function answer(impl: Impl, c: TaskCase): Promise<Answer> {
  const fn = impl.fns[c.suite];
  if (fn === undefined) return { id: c.id, unsupported: `does not implement suite ${c.suite}` };
  let out: unknown;
  try {
    out = fn(c.input);
    if (out instanceof Promise) out = await out;
  } catch (err) {
    return { id: c.id, error: `threw ${message(err)}` };
  }
  if (impl.trusted) {
    const o = out as JsonObject;
    return isUnsupported(o) ? { id: c.id, unsupported: o.unsupported } : { id: c.id, output: o };
  }
  const o = asJsonObject(out);
  if (typeof o === 'string') return { id: c.id, error: `malformed answer: ${o}` };
  return isUnsupported(o) ? { id: c.id, unsupported: o.unsupported } : { id: c.id, output: o };
}

/** The pool's task function; case answers come back as one JSON text (`Answer[]`). */
export default async function task(t: CaseTask | HelloTask): Promise<string | HelloReply> {
  if (t.type === 'hello') {
    try {
      return { ok: true, info: (await load(t.impl)).info };
    } catch (err) {
      return { ok: false, problem: message(err) };
    }
  }
  const impl = await load(t.impl);
  const cases = JSON.parse(t.cases) as TaskCase[];
  const out: Answer[] = new Array(cases.length);
  for (let i = 0; i < cases.length; i++) {
    Atomics.store(t.progress, 0, i);
    out[i] = await answer(impl, cases[i]!);
  }
  return JSON.stringify(out);
}
