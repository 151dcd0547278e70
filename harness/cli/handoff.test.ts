// `x64spec handoff check` run as a user would (the real bin, a child process): a good
// hand-off, a broken one, the same state with its tables in a raw dump, and bad input.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { handoffStateToJson } from '../../model/handoff/json.ts';
import { buildHandoff, DEFAULT_PLAN } from '../../model/handoff/loader.ts';
import type { PhysAddr } from '../../model/paging/addr.ts';
import { encodeMap } from '../../model/uefi/index.ts';

const BIN = join(import.meta.dirname, '../../bin/x64spec.js');
let dir: string;

function x64spec(...args: string[]) {
  return spawnSync(process.execPath, [BIN, 'handoff', ...args], { encoding: 'utf8' });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'x64spec-handoff-'));
  writeFileSync(join(dir, 'ok.json'), JSON.stringify(handoffStateToJson(buildHandoff(DEFAULT_PLAN).state)));
  const broken = buildHandoff({ ...DEFAULT_PLAN, breakage: 'stack-unmapped' });
  writeFileSync(join(dir, 'stack.json'), JSON.stringify(handoffStateToJson(broken.state)));
  // The same broken state with its page tables in a raw dump of 0x2000000–0x2400000.
  const dump = broken.state.memory.readBytes(0x200_0000 as PhysAddr, 0x40_0000);
  writeFileSync(join(dir, 'ram.bin'), dump);
  const json = handoffStateToJson(broken.state) as Record<string, unknown>;
  delete json.memory;
  writeFileSync(join(dir, 'dump.json'), JSON.stringify({ ...json, memoryDump: { file: 'ram.bin', base: '0x2000000' } }));
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...json, memoryDump: { file: 'ram.bin', base: '0x2000000' }, stack: { rsp: 'top' } }));
  writeFileSync(join(dir, 'nodump.json'), JSON.stringify({ ...json, memoryDump: { file: 'missing.bin' } }));
  writeFileSync(join(dir, 'notjson.json'), '{ nope');
  // Tables in boot-services memory, with the final map as the raw 48-byte-stride buffer.
  const bs = buildHandoff({ ...DEFAULT_PLAN, breakage: 'tables-in-boot-services-data' });
  writeFileSync(join(dir, 'map.bin'), encodeMap(bs.state.memoryMap!, 48));
  const bsJson = handoffStateToJson(bs.state) as Record<string, unknown>;
  delete bsJson.memoryMap;
  writeFileSync(join(dir, 'bsdata.json'), JSON.stringify({ ...bsJson, memoryMapDump: { file: 'map.bin', descriptorSize: 48 } }));
}, 60_000);

describe('x64spec handoff check', () => {
  it('HANDOFF.IDT.USABLE: a good hand-off exits 0 with only the IDT warning', () => {
    const r = x64spec('check', '--state', join(dir, 'ok.json'));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('prediction: the switch works and the kernel starts');
    expect(r.stdout).toContain('WARN  HANDOFF.IDT.USABLE (Exceptions need a mapped IDT) at $.idtr');
  });

  it('HANDOFF.STACK.WRITABLE / HANDOFF.FAULT.TRIPLE: an unmapped stack exits 1 and explains the triple fault', () => {
    const r = x64spec('check', '--state', join(dir, 'stack.json'));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^prediction: TRIPLE FAULT at stack: the first push onto the new stack \(RSP 0xffffffffc0405000\) faults at 0xffffffffc0404ff8 because the PTE at physical 0x[0-9a-f]+ \(0x0\) is not present/);
    expect(r.stdout).toContain('FAULT HANDOFF.STACK.WRITABLE (The new stack is mapped writable) at $.stack');
    const json = JSON.parse(x64spec('check', '--state', join(dir, 'stack.json'), '--json').stdout) as { prediction: { outcome: string; stage: string } };
    expect(json.prediction).toMatchObject({ outcome: 'triple-fault', stage: 'stack' });
  });

  it('reads the page tables from a raw dump next to the state file and gives the same verdict', () => {
    const viaDump = x64spec('check', '--state', join(dir, 'dump.json'), '--json');
    const viaQwords = x64spec('check', '--state', join(dir, 'stack.json'), '--json');
    expect(viaDump.status).toBe(1);
    expect(viaDump.stdout).toBe(viaQwords.stdout);
  });

  it('HANDOFF.MEM.NOT_FREE / UEFI.MMAP.DESCRIPTOR_SIZE: tables in boot-services memory, map read from the raw buffer, exit 1', () => {
    const r = x64spec('check', '--state', join(dir, 'bsdata.json'));
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('prediction: the switch works and the kernel starts');
    expect(r.stdout).toMatch(/LATER HANDOFF\.MEM\.NOT_FREE .* at \$\.regs\.cr3\n {6}10 page-table frames \(0x2100000, .*\) lie in EfiBootServicesData/);
  });

  it('bad input is one line naming the file and the JSON path, exit 2', () => {
    const cases: [string[], RegExp][] = [
      [['check', '--state', join(dir, 'bad.json')], /bad\.json: \$\.stack\.rsp: must match/],
      [['check', '--state', join(dir, 'nodump.json')], /\$\.memoryDump\.file: cannot read .*missing\.bin: ENOENT/],
      [['check', '--state', join(dir, 'notjson.json')], /notjson\.json is not JSON/],
      [['check', '--state', join(dir, 'absent.json')], /cannot read --state .*absent\.json: ENOENT/],
      [['check'], /--state is required/],
      [['check', '--stat', 'x'], /Unknown option '--stat'/],
      [['verify'], /unknown subcommand 'verify'/],
    ];
    for (const [args, want] of cases) {
      const r = x64spec(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(want);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
