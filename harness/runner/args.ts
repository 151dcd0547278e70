/**
 * A small flag parser for the harness commands: `--name value` or `--name=value`, flags
 * that may repeat, and typed readers that throw UsageError naming the flag.
 */
import { UsageError } from '../cli/command.ts';
import { SUITES, type Suite } from '../types.ts';

export interface FlagSpec {
  /** Flags that take a value. */
  readonly values: readonly string[];
  /** Flags without a value. */
  readonly booleans?: readonly string[];
  /** Value flags that may repeat (all values kept). */
  readonly repeatable?: readonly string[];
}

export interface Flags {
  readonly values: ReadonlyMap<string, string[]>;
  readonly booleans: ReadonlySet<string>;
}

export function parseFlags(args: readonly string[], spec: FlagSpec): Flags {
  const values = new Map<string, string[]>();
  const booleans = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (spec.booleans?.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      booleans.add(name);
      continue;
    }
    if (!spec.values.includes(name)) throw new UsageError(`unknown option --${name}`);
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
    }
    const list = values.get(name) ?? [];
    if (list.length > 0 && !spec.repeatable?.includes(name)) throw new UsageError(`--${name} given twice`);
    list.push(value);
    values.set(name, list);
  }
  return { values, booleans };
}

export function one(flags: Flags, name: string): string | undefined {
  return flags.values.get(name)?.[0];
}

export function all(flags: Flags, name: string): string[] {
  return flags.values.get(name) ?? [];
}

export function int(flags: Flags, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const text = one(flags, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^-?(0x[0-9a-f]+|\d+)$/i.test(text.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} ${text}: expected an integer ${min}..${max === Number.MAX_SAFE_INTEGER ? '' : max}`);
  }
  return n;
}

/** `--suite a,b` (repeatable) → suites, each checked. */
export function suitesFlag(flags: Flags): Suite[] | undefined {
  const raw = all(flags, 'suite').flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
  if (raw.length === 0) return undefined;
  for (const s of raw) if (!(SUITES as readonly string[]).includes(s)) throw new UsageError(`--suite ${s}: unknown suite (known: ${SUITES.join(', ')})`);
  return raw as Suite[];
}
