// Robustness (issue 5): any byte-level mutation or truncation of a valid ELF file gives
// either a plan (and a load) or typed diagnostics naming a clause, a field and a file
// offset — never an exception, a hang or an allocation sized by a field. The deep run
// (X64SPEC_NUM_RUNS=100) checks 100,000 mutated files. Clauses: ELF.FILE.TRUNCATED and
// every rule a mutation can break.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ELF_CLAUSES } from '../../spec/clauses/elf.ts';
import { loadElf } from '../../model/elf/load.ts';
import { PROFILES, PROFILE_NAMES } from '../../model/elf/profiles.ts';
import { ensureBuilt } from '../../model/elf/testdata/build.ts';
import { SLOTS, pieImage } from '../../model/elf/testdata/pie.ts';
import { R_X86_64_64, R_X86_64_RELATIVE } from '../../model/elf/types.ts';
import { numRuns } from '../support/runs.ts';
import { encodeRelr } from './arbitraries.ts';

const CLAUSE_IDS = new Set<string>(ELF_CLAUSES.map((c) => c.id));
let seeds: Uint8Array[] = [];

beforeAll(() => {
  const kernels = Object.values(ensureBuilt()).map((p) => new Uint8Array(readFileSync(p)));
  const pie = pieImage({
    rela: [{ offset: SLOTS, type: R_X86_64_RELATIVE, addend: 0x40n }, { offset: SLOTS + 8n, type: R_X86_64_64, sym: 1, addend: 0n }],
    symbols: [{ value: 0n, shndx: 0, bind: 0 }, { value: 0x1000n, shndx: 1, bind: 1 }],
    relr: encodeRelr([SLOTS + 16n, SLOTS + 24n, SLOTS + 40n]),
    relro: true,
    bss: 0x3000n,
  });
  // A real dynamically linked program too: it is refused (interpreter, DT_NEEDED, GLOB_DAT…),
  // but its dynamic section, symbols and relocation tables give mutations more to break.
  const system = new Uint8Array(readFileSync('/usr/bin/true'));
  seeds = [...kernels, pie, system];
});

type Mutation = { kind: 'set'; at: number; value: number } | { kind: 'qword'; at: number; value: bigint } | { kind: 'truncate'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }) },
  // Whole fields: the header and program-header table are where 64-bit sizes and offsets live.
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('qword' as const), at: fc.nat({ max: 64 + 10 * 56 }), value: fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.constantFrom(0n, 1n << 63n, 0xffff_ffff_ffff_ffffn, 0x1000n)) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
);

function mutate(seed: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = seed.slice();
  for (const m of ms) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    if (m.kind === 'set') b[at] = m.value;
    else if (m.kind === 'truncate') b = b.slice(0, at);
    else if (at + 8 <= b.length) new DataView(b.buffer).setBigUint64(at, m.value, true);
  }
  return b;
}

describe('robustness under mutation and truncation', () => {
  it('every mutated or truncated image gives a load or typed diagnostics (no throw, bounded work)', () => {
    let loaded = 0;
    let refused = 0;
    const runs = numRuns(1000);
    fc.assert(fc.property(
      fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 6 }), fc.constantFrom(...PROFILE_NAMES), fc.constantFrom(0n, 0x20_0000n),
      (which, ms, profile, base) => {
        const seed = seeds[which % seeds.length]!;
        const bytes = mutate(seed, ms);
        // A small page budget keeps every case bounded (ELF.LOAD.SIZE_LIMIT).
        const r = loadElf(bytes, { profile: PROFILES[profile], base, maxPages: 64 });
        if (r.ok) {
          loaded++;
          expect(r.plan.warnings.every((w) => w.severity === 'warning')).toBe(true);
          return;
        }
        refused++;
        expect(r.diagnostics.some((d) => d.severity === 'error')).toBe(true);
        for (const d of r.diagnostics) {
          expect(CLAUSE_IDS.has(d.clause)).toBe(true);
          expect(typeof d.field).toBe('string');
          expect(Number.isInteger(d.offset) && d.offset >= 0 && d.offset <= Math.max(bytes.length, 64)).toBe(true);
          expect(d.message.length).toBeGreaterThan(0);
        }
      },
    ), { numRuns: runs });
    console.log(`ELF robustness: ${runs} mutated images, ${loaded} loaded, ${refused} refused with typed diagnostics`);
    expect(loaded + refused).toBe(runs);
    expect(loaded).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  }, 900_000); // the deep run (X64SPEC_NUM_RUNS=100) checks 100,000 images
});
