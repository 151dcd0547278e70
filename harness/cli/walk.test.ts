// `x64spec walk` on a raw dump written from an address space the model's mapper built,
// run as a user would run it (the real bin, a child process).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AddressSpace } from '../../model/paging/address-space.ts';
import { RangeFrameAllocator } from '../../model/paging/frames.ts';
import { pageFlags } from '../../model/paging/mapper-flags.ts';
import { canonicalFrom48, PhysMemory, toHex, type PhysAddr } from '../../model/paging/index.ts';

const BIN = join(import.meta.dirname, '../../bin/x64spec.js');
let dir: string;
let cr3: string;

function x64spec(...args: string[]) {
  return spawnSync(process.execPath, [BIN, 'walk', ...args], { encoding: 'utf8' });
}

beforeAll(() => {
  // Tables in 1..2 MiB, a user read-only 4-KiB page, a supervisor writable 2-MiB page,
  // and a 1-GiB direct-map page in the upper half; dump = the first 4 MiB of memory.
  const memory = new PhysMemory();
  const frames = RangeFrameAllocator.create(memory, [{ start: 0x10_0000, end: 0x20_0000 }]);
  if (!frames.ok) throw new Error('allocator');
  const space = AddressSpace.create(memory, frames.value, { maxPhyAddr: 40, hugePages1G: true, noExecute: true });
  if (!space.ok) throw new Error('space');
  const s = space.value;
  const must = (r: { ok: boolean }) => expect(r.ok).toBe(true);
  must(s.map(canonicalFrom48(0x40_0000), 0x30_0000 as PhysAddr, 4096, pageFlags({ user: true, executable: false })));
  must(s.map(canonicalFrom48(0x80_0000), 0x20_0000 as PhysAddr, 2 * 1024 * 1024, pageFlags({ writable: true })));
  must(s.map(canonicalFrom48(0x8880_0000_0000), 0 as PhysAddr, 1024 * 1024 * 1024, pageFlags({ writable: true, executable: false })));
  cr3 = toHex(s.cr3);
  dir = mkdtempSync(join(tmpdir(), 'x64spec-walk-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'dump.bin'), memory.readBytes(0 as PhysAddr, 0x40_0000));
  // The same memory from 1 MiB on, for --base.
  writeFileSync(join(dir, 'high.bin'), memory.readBytes(0x10_0000 as PhysAddr, 0x10_0000));
});

describe('x64spec walk [PG.WALK.PAGE_4K, PG.WALK.PDE.PS, PG.WALK.PDPTE.PS]', () => {
  it('walks a 4-KiB user page level by level and names the leaf rule', () => {
    const r = x64spec('--mem', join(dir, 'dump.bin'), '--cr3', cr3, '--va', '0x400abc', '--user');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/PML4E @ .*\n.*PDPTE @ .*\n.*PDE   @ .*\n.*PTE   @ /);
    expect(r.stdout).toContain('→ ok: physical 0x300abc (4 KiB page; read-only, user, execute-disabled)');
    expect(r.stdout).toContain('decided by: PG.WALK.PAGE_4K');
    expect(r.stdout).toContain('SDM Vol. 3A');
  });

  it('explains a denied user write with the error code and the deciding clause', () => {
    const r = x64spec('--mem', join(dir, 'dump.bin'), '--cr3', cr3, '--va', '0x400abc', '--user', '--write');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('#PF error code 0x7 (P=1 protection, write, user)');
    expect(r.stdout).toContain('decided by: PG.PERM.USER.WRITE_READONLY');
    expect(r.stdout).toContain('may set PML4E');
  });

  it('walks 2-MiB and upper-half 1-GiB pages, and reports SMEP faults', () => {
    const two = x64spec('--mem', join(dir, 'dump.bin'), '--cr3', cr3, '--va', '0x812345', '--write');
    expect(two.stdout).toContain('→ ok: physical 0x212345 (2048 KiB page');
    const one = x64spec('--mem', join(dir, 'dump.bin'), '--cr3', cr3, '--va', '0xffff888000123456', '--json');
    expect(JSON.parse(one.stdout)).toMatchObject({ outcome: 'ok', pa: 0x123456, pageSize: 1024 * 1024 * 1024, cause: 'PG.WALK.PDPTE.PS' });
    const smep = x64spec('--mem', join(dir, 'dump.bin'), '--cr3', cr3, '--va', '0x400000', '--fetch', '--cr4', '0x100020');
    expect(smep.stdout).toContain('decided by: PG.PERM.SMEP.FETCH_USER');
    expect(smep.stdout).toContain('error code 0x11');
  });

  it('reads a dump that starts at --base', () => {
    const r = x64spec('--mem', join(dir, 'high.bin'), '--base', '0x100000', '--cr3', cr3, '--va', '0x400000');
    expect(r.stdout).toContain('physical 0x300000');
  });

  it('gives a one-line error when the dump is too short for the walk', () => {
    writeFileSync(join(dir, 'short.bin'), new Uint8Array(0x1000));
    const r = x64spec('--mem', join(dir, 'short.bin'), '--cr3', cr3, '--va', '0x400000');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/does not contain physical address 0x1[0-9a-f]{5}, which the walk needs/);
  });

  it('gives one-line errors for bad arguments', () => {
    const cases: [string[], RegExp][] = [
      [['--cr3', cr3, '--va', '0x1'], /--mem is required/],
      [['--mem', join(dir, 'nope.bin'), '--cr3', cr3, '--va', '0x1'], /cannot read --mem .*ENOENT/],
      [['--mem', dir, '--cr3', cr3, '--va', '0x1'], /is not a file/],
      [['--mem', join(dir, 'dump.bin'), '--va', '0x1'], /--cr3 is required/],
      [['--mem', join(dir, 'dump.bin'), '--cr3', cr3], /--va is required/],
      [['--mem', join(dir, 'dump.bin'), '--cr3', cr3, '--va', 'xyz'], /--va must be a hex value/],
      [['--mem', join(dir, 'dump.bin'), '--cr3', cr3, '--va', '0x1', '--write', '--fetch'], /exclude each other/],
      [['--mem', join(dir, 'dump.bin'), '--cr3', cr3, '--va', '0x1', '--base', '0x123'], /4-KiB-aligned/],
      [['--mem', join(dir, 'dump.bin'), '--cr3', cr3, '--va', '0x1', '--cpl', '5'], /--cpl must be 0–3/],
      [['--mem', join(dir, 'dump.bin'), '--cr3', cr3, '--va', '0x1', '--features', 'nx,avx'], /unknown feature 'avx'/],
      [['--mem', join(dir, 'dump.bin'), '--cr3', cr3, '--va', '0x1', '--cr4', '0x0'], /CR4.PAE must be 1.*PG.MODE.FOUR_LEVEL/],
      [['--mem', join(dir, 'dump.bin'), '--cr3', cr3, '--va', '0x1', '--bogus'], /Unknown option '--bogus'/],
      [['--mem', join(dir, 'dump.bin'), '--cr3', cr3, '--va', '0x1', '--implicit', '--fetch'], /implicit access cannot be an instruction fetch/],
    ];
    for (const [args, message] of cases) {
      const r = x64spec(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('prints usage with --help', () => {
    const out = execFileSync(process.execPath, [BIN, 'walk', '--help'], { encoding: 'utf8' });
    expect(out).toContain('usage: x64spec walk --mem dump.bin');
  });
});
