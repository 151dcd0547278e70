/**
 * The paging case view: registers decoded into named bits, the tables the model's walk
 * went through (with the input's entries of each table and the selected one marked), the
 * walk trace with the clause that decided each step, and the permitted outcome beside
 * the observed one, field by field and qword by qword.
 */
import type { JsonObject, JsonValue } from '../harness/types.ts';
import { LEVEL_NAMES, type Access, type Level, type PagingState, type WalkResult } from '../model/paging/types.ts';
import { fromNumber, parseHex, toHex, u64, type U64 } from '../model/paging/u64.ts';
import { CR0_BITS, CR3_BITS, CR4_BITS, EFER_BITS, PF_ERROR_BITS, RFLAGS_BITS, decodeBits, entryBits } from './paging-bits.ts';
import { parsePagingInput, type PagingInput } from './paging-input.ts';
import type { MemoryCompareRow, OutcomeCompareRow, PagingView, TableView, TraceStepView } from './types.ts';

export type WalkFn = (state: PagingState, access: Access) => WalkResult;

const hex = (n: number): string => toHex(fromNumber(n));

/** Normalises a hex string for comparison (either case, any padding); undefined when not hex. */
function normHex(v: JsonValue | undefined): string | undefined {
  if (typeof v !== 'string') return undefined;
  const p = parseHex(v);
  return p === undefined ? undefined : toHex(p);
}

const show = (v: JsonValue | undefined): string => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

/** The linear-address indices for PML4, PDPT, PD, PT (bits 47:39, 38:30, 29:21, 20:12). */
function indices(va: U64): number[] {
  const low = (va.hi & 0xffff) * 2 ** 32 + va.lo;
  return [39, 30, 21, 12].map((shift) => Math.floor(low / 2 ** shift) % 512);
}

export function pagingView(input: JsonObject, expect: JsonObject | undefined, observed: JsonValue | undefined, walk: WalkFn | string): PagingView | undefined {
  const parsed = parsePagingInput(input);
  if (!parsed.ok) return undefined;
  const p = parsed.value;
  const { regs, cpu } = p.state;
  const trace = runTrace(p, walk);
  return {
    access: {
      va: toHex(p.access.va), kind: p.access.kind, implicit: p.access.implicit,
      cpl: String(regs.cpl), indices: indices(p.access.va),
    },
    cpu: { maxphyaddr: `${cpu.maxPhyAddr} bits`, features: [...cpu.features] },
    registers: [
      { name: 'CR0', value: toHex(regs.cr0), bits: decodeBits(regs.cr0, CR0_BITS) },
      { name: 'CR3', value: toHex(regs.cr3), bits: decodeBits(regs.cr3, CR3_BITS) },
      { name: 'CR4', value: toHex(regs.cr4), bits: decodeBits(regs.cr4, CR4_BITS) },
      { name: 'EFER', value: toHex(regs.efer), bits: decodeBits(regs.efer, EFER_BITS) },
      { name: 'RFLAGS', value: toHex(regs.rflags), bits: decodeBits(regs.rflags, RFLAGS_BITS) },
      { name: 'PKRU', value: hex(regs.pkru), bits: pkruBits(regs.pkru) },
    ],
    tables: 'steps' in trace ? tablesOf(trace.raw, p) : [],
    trace: 'steps' in trace ? { steps: trace.steps, outcome: trace.outcome, clauses: trace.clauses } : trace,
    observed: observed !== undefined,
    outcome: outcomeRows(expect, observed),
    memory: memoryRows(p, expect, observed, 'steps' in trace ? trace.raw : undefined),
  };
}

/** PKRU: AD and WD for each of the 16 keys, only the keys with a bit set (all zero shows as none). */
function pkruBits(pkru: number): PagingView['registers'][number]['bits'] {
  const out: { name: string; bits: string; value: string; set: boolean }[] = [];
  for (let k = 0; k < 16; k++) {
    for (const [n, b] of [['AD', 2 * k], ['WD', 2 * k + 1]] as const) {
      if ((pkru >>> b) & 1) out.push({ name: `${n}${k}`, bits: String(b), value: '1', set: true });
    }
  }
  return out;
}

type TraceResult =
  | { steps: TraceStepView[]; outcome: string; clauses: string[]; raw: WalkResult }
  | { unavailable: string };

function runTrace(p: PagingInput, walk: WalkFn | string): TraceResult {
  if (typeof walk === 'string') return { unavailable: walk };
  let r: WalkResult;
  try {
    r = walk(p.state, p.access);
  } catch (err) {
    return { unavailable: `the model rejected this input: ${(err as Error).message.split('\n')[0]}` };
  }
  const steps = r.trace.map((s) => ({
    level: s.level, levelName: LEVEL_NAMES[s.level], entryPa: hex(s.entryPa), entry: toHex(s.entry), clauses: [...s.clauses], note: s.note,
  }));
  const outcome = r.outcome === 'ok'
    ? `translates to physical ${hex(r.pa)} (${r.pageSize / 1024 >= 1024 ? `${r.pageSize / 1024 / 1024} MiB` : `${r.pageSize / 1024} KiB`} page)`
    : r.vector === 14
      ? `#PF (vector 14), error code ${hex(r.errorCode)}, CR2 ${toHex(r.cr2)}`
      : '#GP(0) (vector 13)';
  return { steps, outcome, clauses: [...r.clauses], raw: r };
}

/** Each table the walk read from: its base, the index used, and every entry the input lists in it. */
function tablesOf(r: WalkResult, p: PagingInput): TableView[] {
  return r.trace.map((s) => {
    const base = s.entryPa - (s.entryPa % 4096);
    const entries = p.memory
      .filter((q) => q.pa >= base && q.pa < base + 4096)
      .sort((a, b) => a.pa - b.pa)
      .map((q) => ({
        index: (q.pa - base) / 8, pa: hex(q.pa), value: toHex(q.value), selected: q.pa === s.entryPa,
        flags: decodeBits(q.value, entryBits(s.level)),
      }));
    if (!entries.some((e) => e.selected)) {
      // The walk read an entry the input does not list: it reads as zero (not present).
      entries.push({ index: (s.entryPa - base) / 8, pa: hex(s.entryPa), value: '0x0', selected: true, flags: decodeBits(u64(0, 0), entryBits(s.level)) });
      entries.sort((a, b) => a.index - b.index);
    }
    return { level: s.level, levelName: LEVEL_NAMES[s.level as Level], base: hex(base), index: (s.entryPa - base) / 8, entries };
  });
}

function outcomeRows(expect: JsonObject | undefined, observed: JsonValue | undefined): OutcomeCompareRow[] {
  const e = expect ?? {};
  const o = typeof observed === 'object' && observed !== null && !Array.isArray(observed) ? observed : {};
  const rows: OutcomeCompareRow[] = [];
  const same = (a: JsonValue | undefined, b: JsonValue | undefined): boolean =>
    normHex(a) !== undefined && normHex(b) !== undefined ? normHex(a) === normHex(b) : JSON.stringify(a) === JSON.stringify(b);
  const push = (field: string): void => {
    if (e[field] === undefined && o[field] === undefined) return;
    rows.push({ field, permitted: show(e[field]), observed: show(o[field]), ok: same(e[field], o[field]) });
  };
  push('outcome');
  push('pa');
  push('vector');
  if (e.errorCode !== undefined || o.errorCode !== undefined) {
    const ev = typeof e.errorCode === 'string' ? parseHex(e.errorCode) : undefined;
    const ov = typeof o.errorCode === 'string' ? parseHex(o.errorCode) : undefined;
    rows.push({
      field: 'errorCode', permitted: show(e.errorCode), observed: show(o.errorCode), ok: same(e.errorCode, o.errorCode),
      bits: { permitted: ev ? decodeBits(ev, PF_ERROR_BITS) : [], observed: ov ? decodeBits(ov, PF_ERROR_BITS) : [] },
    });
  }
  push('cr2');
  return rows;
}

/** Every input qword: permitted final values (listed ones from `expect.memory`, others must keep their value) vs observed. */
function memoryRows(p: PagingInput, expect: JsonObject | undefined, observed: JsonValue | undefined, walked: WalkResult | undefined): MemoryCompareRow[] {
  const levelAt = new Map(walked?.trace.map((s) => [s.entryPa as number, s.level]) ?? []);
  const allowed = new Map<string, string[]>();
  const em = expect?.memory;
  if (Array.isArray(em)) {
    for (const m of em) {
      if (typeof m !== 'object' || m === null || Array.isArray(m)) continue;
      const pa = normHex(m.pa);
      if (pa !== undefined && Array.isArray(m.oneOf)) allowed.set(pa, m.oneOf.map((v) => normHex(v) ?? show(v)));
    }
  }
  const om = typeof observed === 'object' && observed !== null && !Array.isArray(observed) && Array.isArray(observed.memory) ? observed.memory : undefined;
  return p.memory.map((q, i) => {
    const pa = hex(q.pa);
    const input = toHex(q.value);
    const permitted = allowed.get(pa) ?? [input];
    const raw = om?.[i];
    const obs = raw === undefined ? undefined : normHex(raw) ?? show(raw);
    const ok = obs === undefined ? observed === undefined : permitted.includes(obs);
    const differs = !ok && obs !== undefined ? differingBits(permitted[permitted.length - 1]!, obs, levelAt.get(q.pa) ?? 1) : undefined;
    return { pa, input, permitted, ...(obs !== undefined ? { observed: obs } : {}), ok, ...(differs ? { differs } : {}) };
  });
}

/** `set D (bit 6), clear A (bit 5)`: how `observed` differs from `want`, in the entry's bit names. */
function differingBits(want: string, observed: string, level: number): string | undefined {
  const w = parseHex(want);
  const o = parseHex(observed);
  if (w === undefined || o === undefined) return undefined;
  const wb = decodeBits(w, entryBits(level));
  const ob = decodeBits(o, entryBits(level));
  const parts = ob.flatMap((b, i) => {
    const before = wb[i]!;
    if (b.value === before.value) return [];
    if (b.bits.includes(':')) return [`${b.name} (bits ${b.bits}) ${before.value} → ${b.value}`];
    return [`${b.set ? 'set' : 'clear'} ${b.name} (bit ${b.bits})`];
  });
  return parts.length > 0 ? `observed ${parts.join(', ')}` : 'differs in bits no entry field names';
}
