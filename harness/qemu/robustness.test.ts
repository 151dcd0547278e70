/**
 * One bad vector costs only itself: a guest that hangs is killed by the timeout and
 * its batch retried around the culprit; a runner-level fault becomes an error answer.
 * Real QEMU; the vectors are built by hand (their memory holds the code the fetch runs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonObject, Vector } from '../types.ts';
import { QemuAdapter } from './adapter.ts';
import { ensureBuilt } from './build.ts';
import { qemuAvailability } from './register-adapter.ts';

let adapter: QemuAdapter;

beforeAll(() => {
  const a = qemuAvailability();
  if (!a.available) throw new Error(`this test needs QEMU: ${a.reason}`);
  ensureBuilt();
  adapter = new QemuAdapter({ bootAllowanceMs: 4_000, parallel: 1 });
});

afterAll(async () => {
  await adapter?.close();
});

/** Supervisor access at 0x403000 + offset through a 4 KiB page at PA 0x5000; `code` is the qword at 0x5000. */
function vector(id: string, kind: 'read' | 'fetch', code?: string): Vector {
  const memory = [
    { pa: '0x1000', value: '0x2003' }, { pa: '0x2000', value: '0x3003' },
    { pa: '0x3010', value: '0x4003' }, { pa: '0x4018', value: '0x5003' },
  ];
  if (code !== undefined) memory.push({ pa: '0x5000', value: code });
  return {
    id, suite: 'paging', title: id, clauses: [], expect: {},
    input: {
      cpu: { maxphyaddr: 40, features: ['nx', 'smep', 'smap', 'pku', 'pdpe1gb'] },
      regs: { cr0: '0x80010033', cr3: '0x1000', cr4: '0x20', efer: '0xd00', rflags: '0x2', pkru: '0x0', cpl: 0 },
      memory, access: { va: kind === 'read' ? '0x403008' : '0x403000', kind, implicit: false },
    },
  };
}

describe('QEMU runner robustness', () => {
  it('a vector that hangs the guest gets an error; the vectors around it still get answers', async () => {
    // EB FE: jmp to itself, at the fetched address.
    const cases = [vector('before', 'read'), vector('hang', 'fetch', '0xfeeb'), vector('after', 'read')];
    const answers = await adapter.run(cases, { timeoutMs: 1000 });
    expect(answers[0]).toEqual({ id: 'before', output: { outcome: 'ok', pa: '0x5008', memory: ['0x2023', '0x3023', '0x4023', '0x5023'] } });
    expect(answers[1]).toEqual({ id: 'hang', error: expect.stringMatching(/did not finish within \d+ ms/) });
    expect(answers[2]).toEqual({ id: 'after', output: { outcome: 'ok', pa: '0x5008', memory: ['0x2023', '0x3023', '0x4023', '0x5023'] } });
  });

  it('code that wrecks the runner\'s stack ends as an error naming the exception, not as a verdict', async () => {
    // 31 E4 FF E4: xor esp, esp; jmp rsp — a fetch from 0 with no stack to deliver the fault on.
    const answers = await adapter.run([vector('wreck', 'fetch', '0xe4ffe431'), vector('after', 'read')], { timeoutMs: 1000 });
    expect(answers[0]).toEqual({ id: 'wreck', error: expect.stringMatching(/runner took #(PF|DF) .* outside the access/) });
    expect(answers[1]).toHaveProperty('output');
  });
});

describe('QEMU runner TLB hygiene', () => {
  it('no translation survives into the next case, even with the same CR3 (INVLPG instead of a CR3 load)', async () => {
    const mapped = vector('mapped', 'read');
    const unmapped: Vector = { ...mapped, id: 'unmapped', input: { ...mapped.input, memory: (mapped.input.memory as JsonObject[]).slice(0, 3) } };
    const remapped: Vector = {
      ...mapped, id: 'remapped',
      input: { ...mapped.input, memory: [...(mapped.input.memory as JsonObject[]).slice(0, 3), { pa: '0x4018', value: '0x6003' }] },
    };
    const answers = await adapter.run([mapped, unmapped, mapped, remapped], { timeoutMs: 1000 });
    expect(answers.map((a) => ('output' in a ? [a.output.outcome, a.output.pa ?? a.output.errorCode] : a))).toEqual([
      ['ok', '0x5008'], ['fault', '0x0'], ['ok', '0x5008'], ['ok', '0x6008'],
    ]);
  });
});

describe('QEMU runner memory hygiene', () => {
  it('after boots over corpus vectors (reads, writes, fetches, every CPL) every window qword holds its tag again', async () => {
    const { readVectorFiles } = await import('../../vectors/io/index.ts');
    const { prepare } = await import('./prepare.ts');
    const { boot } = await import('./launch.ts');
    const { untaggedQwords } = await import('./tags.ts');
    const { closeSync, mkdtempSync, openSync, readSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const read = readVectorFiles(['vectors/paging']);
    const prepared = read.vectors.map(prepare).flatMap((p) => (p.ok ? [p.prepared] : []));
    const profile = prepared[0]!.profile;
    const cases = prepared.filter((p) => p.profile.maxphyaddr === profile.maxphyaddr && p.profile.pdpe1gb === profile.pdpe1gb).map((p) => p.guest);
    expect(new Set(cases.map((c) => `${c.kind}/${c.cpl}`)).size).toBeGreaterThanOrEqual(9);
    const dir = mkdtempSync(join(tmpdir(), 'x64spec-qemu-hygiene-'));
    const files = { dir, ramFile: join(dir, 'ram.img'), tagged: false };
    try {
      for (const pass of ['filled', 'reused']) {
        const b = await boot(ensureBuilt(), cases, profile, files, 60_000);
        expect(b.end, pass).toEqual({ kind: 'done' });
        const ram = Buffer.alloc(0x800_0000);
        const fd = openSync(files.ramFile, 'r');
        try {
          readSync(fd, ram, 0, ram.length, 0);
        } finally {
          closeSync(fd);
        }
        expect(untaggedQwords(ram).slice(0, 5), pass).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
