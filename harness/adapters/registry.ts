/**
 * Named adapters (`--impl qemu`, `--impl ovmf`, …) registered by the areas that provide
 * them, and the parser of every `--impl` spec:
 *
 * - `model` → the reference model, in-process (harness/adapters/model.ts);
 * - `process:<command>` or `process:'<command>'` → any program speaking x64spec-impl/1;
 * - a path to a `.ts`/`.js`/`.mjs` file → an in-process module (harness/adapters/module.ts);
 * - a registered name → that registration's factory.
 *
 * To provide a named adapter, an area writes `harness/<area>/register-adapter.ts` that calls
 * `registerAdapter(name, factory, isAvailable, options)` at import time. The registry
 * imports every such file (`loadRegistrations`) before it resolves a name, so nothing
 * else needs editing.
 */
import { readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from '../cli/command.ts';
import type { Adapter, AdapterKind } from '../types.ts';
import type { AdapterContext, AdapterFactory, Availability } from './types.ts';

/** Options of a named adapter. */
export interface RegistrationOptions {
  /** Cases per `run` call (default 1,000). */
  readonly batchSize?: number;
  /** Most lanes at once (default: `--jobs`). */
  readonly maxLanes?: number;
  /** One line for `x64spec run --help`. */
  readonly description?: string;
  /** The kind the results file records (default: the name when it is `qemu` or `ovmf`, else `process`). */
  readonly kind?: AdapterKind;
}

interface Registration {
  readonly name: string;
  readonly create: (context: AdapterContext) => Adapter | Promise<Adapter>;
  readonly isAvailable: () => Availability | Promise<Availability>;
  readonly options: RegistrationOptions;
}

const registrations = new Map<string, Registration>();
const RESERVED = new Set(['model', 'process', 'module']);

/**
 * Registers a named adapter. `factory` makes one adapter per lane; `isAvailable` says
 * whether the real component (QEMU, OVMF…) is installed here — `npm start` runs every
 * available one, and `--impl <name>` on a machine without it fails with its reason.
 */
export function registerAdapter(
  name: string,
  factory: (context: AdapterContext) => Adapter | Promise<Adapter>,
  isAvailable: () => Availability | Promise<Availability>,
  options: RegistrationOptions = {},
): void {
  if (!/^[a-z][a-z0-9-]*$/.test(name) || RESERVED.has(name)) {
    throw new Error(`registerAdapter: '${name}' is not a usable adapter name`);
  }
  registrations.set(name, { name, create: factory, isAvailable, options });
}

const HARNESS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
let loaded: Promise<void> | undefined;

/** Imports every `harness/<area>/register-adapter.ts` once. */
export function loadRegistrations(): Promise<void> {
  loaded ??= (async () => {
    for (const entry of readdirSync(HARNESS_DIR, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const file = join(HARNESS_DIR, entry.name, 'register-adapter.ts');
      if (existsSync(file)) await import(pathToFileURL(file).href);
    }
  })();
  return loaded;
}

function normalise(a: Availability): { available: boolean; reason?: string } {
  return typeof a === 'boolean' ? { available: a } : a;
}

/** A named adapter's availability on this machine. */
export async function availability(name: string): Promise<{ available: boolean; reason?: string }> {
  await loadRegistrations();
  const r = registrations.get(name);
  if (r === undefined) return { available: false, reason: `no adapter named '${name}' is registered` };
  try {
    return normalise(await r.isAvailable());
  } catch (err) {
    return { available: false, reason: err instanceof Error ? err.message : String(err) };
  }
}

/** Names of the registered (real) adapters usable on this machine, with why the others are not. */
export async function available(): Promise<{ usable: string[]; unusable: { name: string; reason: string }[] }> {
  await loadRegistrations();
  const usable: string[] = [];
  const unusable: { name: string; reason: string }[] = [];
  for (const name of [...registrations.keys()].sort()) {
    const a = await availability(name);
    if (a.available) usable.push(name);
    else unusable.push({ name, reason: a.reason ?? 'not available' });
  }
  return { usable, unusable };
}

/** All registered names (available or not). */
export async function registeredAdapterNames(): Promise<string[]> {
  await loadRegistrations();
  return [...registrations.keys()].sort();
}

/** What an `--impl` spec denotes, before anything is started. */
export type ImplSpec =
  | { readonly kind: 'model'; readonly spec: string }
  | { readonly kind: 'process'; readonly spec: string; readonly command: string }
  | { readonly kind: 'module'; readonly spec: string; readonly path: string }
  | { readonly kind: 'named'; readonly spec: string; readonly name: string };

const MODULE_EXT = /\.(ts|mts|js|mjs)$/;

/** Parses an `--impl` value; throws UsageError naming what is wrong. */
export function parseImplSpec(spec: string): ImplSpec {
  const text = spec.trim();
  if (text === '') throw new UsageError('--impl is empty (use model, a module path, process:\'<command>\', or an adapter name)');
  if (text === 'model') return { kind: 'model', spec: text };
  if (text.startsWith('process:')) {
    let command = text.slice('process:'.length).trim();
    const q = command[0];
    if ((q === "'" || q === '"') && command.length >= 2 && command.endsWith(q)) command = command.slice(1, -1).trim();
    if (command === '') throw new UsageError(`--impl ${spec}: no command after 'process:'`);
    return { kind: 'process', spec: text, command };
  }
  if (MODULE_EXT.test(text) || text.includes('/')) {
    if (!MODULE_EXT.test(text)) throw new UsageError(`--impl ${spec}: a module must be a .ts, .mts, .js or .mjs file`);
    if (!existsSync(text)) throw new UsageError(`--impl ${spec}: no such file`);
    return { kind: 'module', spec: text, path: text };
  }
  if (/^[a-z][a-z0-9-]*$/.test(text)) return { kind: 'named', spec: text, name: text };
  throw new UsageError(`--impl ${spec}: not model, a module path (.ts/.js/.mjs), process:'<command>', or an adapter name`);
}

/** The factory for a named adapter; throws UsageError when it is unknown or unavailable here. */
export async function namedFactory(name: string, spec: string): Promise<AdapterFactory> {
  await loadRegistrations();
  const r = registrations.get(name);
  if (r === undefined) {
    const known = ['model', 'process:\'<command>\'', '<module path>', ...registrations.keys()];
    throw new UsageError(`--impl ${name}: unknown implementation (known: ${known.join(', ')})`);
  }
  const a = await availability(name);
  if (!a.available) throw new UsageError(`--impl ${name}: not available on this machine: ${a.reason ?? 'no reason given'}`);
  return {
    kind: r.options.kind ?? (r.name === 'qemu' || r.name === 'ovmf' ? r.name : 'process'),
    spec,
    batchSize: r.options.batchSize ?? 1000,
    ...(r.options.maxLanes !== undefined ? { maxLanes: r.options.maxLanes } : {}),
    create: r.create,
  };
}
