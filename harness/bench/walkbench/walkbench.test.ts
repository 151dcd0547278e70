import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { timeCore, timeMmu, timeWalk } from '../paging.ts';
import { ensureBuilt, runWalkbench } from './build.ts';
import { exportWorkload, hotWorkload, prng, randomWorkload } from './workload.ts';

let binary = '';
beforeAll(() => {
  binary = ensureBuilt();
});

const dir = mkdtempSync(join(tmpdir(), 'walkbench-'));

describe('walkbench: the C walker and the model translate the same workload', () => {
  it('agrees with the walk, the walk core and the Mmu on every physical address (checksum) with no faults', () => {
    const w = randomWorkload({ pages4K: 2000, pages2M: 4, pages1G: 2, vaCount: 4096, seed: 7 });
    const file = join(dir, 'small.bin');
    const bytes = exportWorkload(w, file);
    expect(statSync(file).size).toBe(bytes);
    const c = runWalkbench(file, 0.001);
    expect(c.faults).toBe(0);
    expect(c.translations % 4096).toBe(0);
    for (const t of [timeWalk(w, 0.001), timeCore(w, 0.001), timeMmu(w, 0.001)]) {
      expect(t.faults).toBe(0);
      expect(t.checksum).toBe(c.checksum);
      expect(t.perSecond).toBeGreaterThan(0);
    }
  });

  it('the hot workload has 16 pages, each in its own page table', () => {
    const w = hotWorkload(256);
    expect(w.vas).toHaveLength(256);
    expect(new Set(w.vas.map((v) => v.lo >>> 12)).size).toBe(16);
    expect(w.state.memory.frameCount).toBe(1 + 1 + 1 + 16);
    const file = join(dir, 'hot.bin');
    exportWorkload(w, file);
    expect(runWalkbench(file, 0.001).checksum).toBe(timeWalk(w, 0.001).checksum);
  });

  it('writes the header the C driver expects', () => {
    const w = hotWorkload(8);
    const file = join(dir, 'header.bin');
    exportWorkload(w, file);
    const b = readFileSync(file);
    expect(b.subarray(0, 8).toString('latin1')).toBe('X64WALK1');
    expect(b.readBigUInt64LE(16)).toBe(0x10_0000n); // cr3: the PML4 is the first table frame
    expect(b.readUInt32LE(8 + 40 + 8)).toBe(46); // maxphyaddr
    expect(b.readUInt32LE(8 + 40 + 12)).toBe(1 | 16); // nx | pdpe1gb
    expect(b.readBigUInt64LE(64)).toBe(19n); // frames
    expect(b.readBigUInt64LE(72)).toBe(8n); // addresses
  });

  it('refuses a file that is not a workload, or whose size does not match its header', () => {
    const bad = join(dir, 'bad.bin');
    writeFileSync(bad, Buffer.alloc(100));
    expect(() => execFileSync(binary, [bad, '0'], { stdio: 'pipe' })).toThrow(/bad magic/);
    const short = Buffer.alloc(100);
    short.write('X64WALK1');
    short.writeBigUInt64LE(5n, 64);
    writeFileSync(bad, short);
    expect(() => execFileSync(binary, [bad, '0'], { stdio: 'pipe' })).toThrow(/size does not match/);
    expect(() => execFileSync(binary, [join(dir, 'missing.bin'), '0'], { stdio: 'pipe' })).toThrow(/cannot open/);
    expect(() => execFileSync(binary, [], { stdio: 'pipe' })).toThrow(/usage/);
  });

  it('ensureBuilt is idempotent', () => {
    expect(ensureBuilt()).toBe(binary);
  });

  it('the PRNG is deterministic and in [0, 1)', () => {
    const a = prng(1);
    const b = prng(1);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('mapper benchmark', () => {
  it('measures map, protect and unmap rates', async () => {
    const { measureMapper } = await import('../paging.ts');
    const rows = measureMapper(200);
    expect(rows.map((r) => r.name)).toEqual(['mapper: map 4 KiB', 'mapper: protect 4 KiB', 'mapper: unmap 4 KiB']);
    expect(rows.every((r) => r.value > 0 && r.unit === 'ops/s')).toBe(true);
  });
});
