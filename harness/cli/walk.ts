import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { clauseById } from '../../spec/clauses/index.ts';
import { DumpMemory } from '../../model/paging/dump-memory.ts';
import {
  FEATURES, LEVEL_NAMES, parseHex, toHex, validateAccess, validateState, virtAddr, walk,
  type Access, type AccessKind, type Cpl, type Feature, type PagingState, type U64, type WalkResult,
} from '../../model/paging/index.ts';
import { describeErrorCode } from './walk-format.ts';
import { UsageError, type Command } from './command.ts';

const USAGE = `usage: x64spec walk --mem dump.bin --cr3 0x… --va 0x… [options]

Walks one linear address through the page tables in a raw physical-memory dump (as
QEMU's pmemsave writes it) and prints each level, the outcome and the clause that
decided it.

  --mem FILE          raw dump; byte i is physical address base + i
  --base 0xADDR       physical address of the dump's first byte (default 0x0, 4-KiB aligned)
  --cr3 0x…           CR3 (the PML4 base is bits MAXPHYADDR-1:12)
  --va 0x…            linear address to translate
  --write | --fetch   access kind (default: read)
  --user              CPL 3 (default CPL 0); --cpl N sets it exactly
  --implicit          a supervisor-mode implicit access (descriptor-table read)
  --cr0 0x…           default 0x80010033 (PG, WP, PE)
  --cr4 0x…           default 0x20 (PAE)
  --efer 0x…          default 0xd00 (LME, LMA, NXE)
  --rflags 0x…        default 0x2 (AC clear)
  --pkru 0x…          default 0x0
  --maxphyaddr N      default 52 (QEMU TCG: 40)
  --features LIST     comma-separated from ${FEATURES.join(',')} (default: all)
  --json              print the walk result as JSON`;

function hexArg(name: string, text: string | undefined, fallback: string): U64 {
  const raw = text ?? fallback;
  const v = parseHex(raw);
  if (v === undefined) throw new UsageError(`--${name} must be a hex value like 0x1000, got '${raw}'`);
  return v;
}

function parseFeatures(text: string | undefined): Set<Feature> {
  if (text === undefined) return new Set(FEATURES);
  const out = new Set<Feature>();
  for (const f of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(FEATURES as readonly string[]).includes(f)) throw new UsageError(`unknown feature '${f}' (known: ${FEATURES.join(', ')})`);
    out.add(f as Feature);
  }
  return out;
}

function loadDump(path: string | undefined, base: number): DumpMemory {
  if (path === undefined) throw new UsageError('--mem is required (a raw physical-memory dump)');
  let bytes: Uint8Array;
  try {
    if (!statSync(path).isFile()) throw new UsageError(`--mem ${path} is not a file`);
    bytes = readFileSync(path);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read --mem ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return new DumpMemory(bytes, base);
}

function parse(args: readonly string[]): { state: PagingState; access: Access; json: boolean; memory: DumpMemory } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        mem: { type: 'string' }, base: { type: 'string' }, cr3: { type: 'string' }, va: { type: 'string' },
        write: { type: 'boolean' }, fetch: { type: 'boolean' }, user: { type: 'boolean' }, cpl: { type: 'string' },
        implicit: { type: 'boolean' }, cr0: { type: 'string' }, cr4: { type: 'string' }, efer: { type: 'string' },
        rflags: { type: 'string' }, pkru: { type: 'string' }, maxphyaddr: { type: 'string' }, features: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.cr3 === undefined) throw new UsageError('--cr3 is required');
  if (values.va === undefined) throw new UsageError('--va is required');
  if (values.write && values.fetch) throw new UsageError('--write and --fetch exclude each other');
  const base = hexArg('base', values.base, '0x0');
  if (base.hi >= 0x10_0000 || base.lo % 4096 !== 0) throw new UsageError(`--base must be a 4-KiB-aligned physical address, got ${values.base}`);
  const memory = loadDump(values.mem, base.hi * 0x1_0000_0000 + base.lo);
  const cpl = values.cpl !== undefined ? Number(values.cpl) : values.user ? 3 : 0;
  if (![0, 1, 2, 3].includes(cpl)) throw new UsageError(`--cpl must be 0–3, got '${values.cpl}'`);
  const maxPhyAddr = Number(values.maxphyaddr ?? '52');
  const pkru = hexArg('pkru', values.pkru, '0x0');
  const kind: AccessKind = values.write ? 'write' : values.fetch ? 'fetch' : 'read';
  const state: PagingState = {
    cpu: { maxPhyAddr, features: parseFeatures(values.features) },
    regs: {
      cr0: hexArg('cr0', values.cr0, '0x80010033'), cr3: hexArg('cr3', values.cr3, ''), cr4: hexArg('cr4', values.cr4, '0x20'),
      efer: hexArg('efer', values.efer, '0xd00'), rflags: hexArg('rflags', values.rflags, '0x2'), pkru: pkru.lo, cpl: cpl as Cpl,
    },
    memory,
  };
  const access: Access = { va: virtAddr(hexArg('va', values.va, '')), kind, implicit: values.implicit ?? false };
  const problems = [...validateState(state.cpu, state.regs), ...validateAccess(access)];
  if (problems.length > 0) {
    const p = problems[0]!;
    throw new UsageError(`${p.path}: ${p.message}${p.clause ? ` [${p.clause}]` : ''}`);
  }
  return { state, access, json: values.json ?? false, memory };
}

function clauseLine(id: string): string {
  const c = clauseById(id);
  return c === undefined ? id : `${id} — ${c.title} (${c.source})`;
}

/** The human-readable walk: one line per level, then the outcome and its deciding clause. */
export function formatWalk(access: Access, result: WalkResult): string {
  const lines = [`${access.kind} ${toHex(access.va)}${access.implicit ? ' (implicit supervisor access)' : ''}`];
  for (const step of result.trace) {
    const name = LEVEL_NAMES[step.level].padEnd(5);
    lines.push(`  ${name} @ 0x${step.entryPa.toString(16).padStart(9, '0')} = ${toHex(step.entry).padEnd(18)}  ${step.note}`);
  }
  if (result.outcome === 'ok') {
    const r = result.rights;
    lines.push(`→ ok: physical 0x${result.pa.toString(16)} (${result.pageSize / 1024} KiB page; ` +
      `${r.writable ? 'writable' : 'read-only'}, ${r.user ? 'user' : 'supervisor'}, ${r.executable ? 'executable' : 'execute-disabled'})`);
  } else if (result.vector === 13) {
    lines.push('→ #GP(0): the address is not canonical');
  } else {
    lines.push(`→ #PF error code 0x${result.errorCode.toString(16)} (${describeErrorCode(result.errorCode)}), CR2 = ${toHex(result.cr2)}`);
  }
  for (const u of result.updates) {
    const how = result.outcome === 'ok' ? 'sets' : 'may set';
    lines.push(`  A/D: ${how} ${LEVEL_NAMES[u.level]} @ 0x${u.pa.toString(16)} ${toHex(u.before)} → ${toHex(u.after)}`);
  }
  lines.push(`decided by: ${clauseLine(result.cause)}`);
  const others = result.clauses.filter((id) => id !== result.cause);
  if (others.length > 0) lines.push('rules involved:');
  for (const id of others) lines.push(`  ${clauseLine(id)}`);
  return lines.join('\n');
}

export const command: Command = {
  summary: 'walk one address through the page tables in a raw memory dump, level by level',
  usage: USAGE,
  async run(args) {
    const { state, access, json, memory } = parse(args);
    const result = walk(state, access);
    if (memory.outsideReads.length > 0) {
      const pa = memory.outsideReads[0]!;
      throw new UsageError(`the dump (${memory.size} bytes at base 0x${memory.base.toString(16)}) does not contain ` +
        `physical address 0x${pa.toString(16)}, which the walk needs`);
    }
    process.stdout.write((json ? JSON.stringify(result, (_k, v) => (v && typeof v === 'object' && 'hi' in v && 'lo' in v ? toHex(v) : v), 2) : formatWalk(access, result)) + '\n');
    return 0;
  },
};
