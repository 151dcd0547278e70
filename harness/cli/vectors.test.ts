// `x64spec vectors` as a user runs it: the real bin in a child process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/x64spec.js');
const dir = mkdtempSync(join(tmpdir(), 'x64spec-cli-vectors-'));

function x64spec(...args: string[]) {
  return spawnSync(process.execPath, [BIN, 'vectors', ...args], { encoding: 'utf8', cwd: ROOT });
}

describe('x64spec vectors generate', () => {
  it('reproduces a committed generated file byte for byte (--out)', () => {
    const out = join(dir, 'g4.jsonl');
    const r = x64spec('generate', '--suite', 'paging', '--seed', '4', '--count', '1500', '--out', out);
    expect(r.status).toBe(0);
    expect(readFileSync(out, 'utf8') === readFileSync(join(ROOT, 'vectors/paging/generated-s4.jsonl'), 'utf8')).toBe(true);
  });

  it('writes to stdout without --out; the first K vectors of a seed do not depend on the count', () => {
    const r = x64spec('generate', '--suite', 'mapper', '--seed', '2', '--count', '3');
    expect(r.status).toBe(0);
    const committed = readFileSync(join(ROOT, 'vectors/mapper/generated-s2.jsonl'), 'utf8').split('\n').slice(0, 3).join('\n') + '\n';
    expect(r.stdout).toBe(committed);
  });

  it('rejects bad arguments in one line with exit code 2', () => {
    for (const args of [['generate', '--suite', 'elf', '--seed', '1', '--count', '1'], ['generate', '--suite', 'paging', '--seed', 'x', '--count', '1'], ['frobnicate']]) {
      const r = x64spec(...args);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^x64spec vectors: /);
    }
  });
});

describe('x64spec vectors check', () => {
  it('passes the committed corpus, runner constraints included', () => {
    const r = x64spec('check', '--runner-constraints', 'vectors/paging/curated-walk.jsonl', 'vectors/mapper');
    expect(r.stderr).toMatch(/vectors read, 0 problem\(s\)/);
    expect(r.status).toBe(0);
  });

  it('--model reports where a vector departs from what the model computes', () => {
    const good = readFileSync(join(ROOT, 'vectors/paging/curated-walk.jsonl'), 'utf8').split('\n')[0]!;
    const file = join(dir, 'model.jsonl');
    writeFileSync(file, good.replace('"pa":"0x5010"', '"pa":"0x5011"') + '\n');
    const r = spawnSync(process.execPath, [BIN, 'vectors', 'check', '--model', 'model.jsonl'], { encoding: 'utf8', cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout.trim()).toBe('model.jsonl:1: $.expect.pa: the vector says "0x5011", the model "0x5010" (model)');
  });

  it('prints each problem with file, line and JSON path, and exits 1', () => {
    const good = readFileSync(join(ROOT, 'vectors/paging/curated-walk.jsonl'), 'utf8').split('\n')[0]!;
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, [good, good, good.replace('"kind":"read"', '"kind":"peek"'), '{"__proto__":{}}', good.replace('"cr3":"0x1000"', '"cr3":"0x1000", "cr3x":"1"').replace('"id":"pg-walk-p36-nx-0001"', '"id":"other"')].join('\n'));
    const r = spawnSync(process.execPath, [BIN, 'vectors', 'check', 'bad.jsonl'], { encoding: 'utf8', cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      "bad.jsonl:2: $.id: id 'pg-walk-p36-nx-0001' already used at bad.jsonl:1 (duplicate-id)",
      'bad.jsonl:3: $.input.access.kind: must be one of ["read","write","fetch"] (schema)',
      'bad.jsonl:4: $.__proto__: forbidden key "__proto__" (forbidden-key)',
      'bad.jsonl:5: $.input.regs.cr3x: unknown property (schema)',
    ]);
  });
});
