// The small parsers behind the adapters: --impl specs, process command lines, protocol
// lines, shards and profiles. Hand-written cases, each with the answer worked out by hand.
import { describe, expect, it } from 'vitest';
import { parseImplSpec } from './registry.ts';
import { planSpawn, splitWords } from './command-line.ts';
import { parseHello, parseResult, caseLine, helloLine } from './protocol.ts';
import { idHash, inShard, parseShard } from '../runner/shard.ts';
import { profileMismatch } from '../runner/profile.ts';
import { UsageError } from '../cli/command.ts';

describe('--impl specs', () => {
  it('parses model, process commands (quoted or not), modules and names', () => {
    expect(parseImplSpec('model')).toEqual({ kind: 'model', spec: 'model' });
    expect(parseImplSpec("process:'python3 x.py --fast'")).toEqual({ kind: 'process', spec: "process:'python3 x.py --fast'", command: 'python3 x.py --fast' });
    expect(parseImplSpec('process:./mmu')).toMatchObject({ kind: 'process', command: './mmu' });
    expect(parseImplSpec('harness/testdata/modules/correct.ts')).toMatchObject({ kind: 'module', path: 'harness/testdata/modules/correct.ts' });
    expect(parseImplSpec('qemu')).toEqual({ kind: 'named', spec: 'qemu', name: 'qemu' });
  });

  it('rejects what names nothing, with a UsageError saying why', () => {
    expect(() => parseImplSpec('')).toThrow(UsageError);
    expect(() => parseImplSpec("process:''")).toThrow(/no command after 'process:'/);
    expect(() => parseImplSpec('missing/impl.ts')).toThrow(/no such file/);
    expect(() => parseImplSpec('some/dir/impl.py')).toThrow(/must be a \.ts, \.mts, \.js or \.mjs file/);
    expect(() => parseImplSpec('Not A Name')).toThrow(/not model, a module path/);
  });
});

describe('process command lines', () => {
  it('splits plain commands itself, honouring quotes and escapes', () => {
    expect(splitWords(`python3 'my impl.py' "a \\"b\\"" c\\ d`)).toEqual(['python3', 'my impl.py', 'a "b"', 'c d']);
    expect(planSpawn('./mmu --x=1')).toEqual({ file: './mmu', args: ['--x=1'], viaShell: false });
  });

  it('hands anything with shell syntax to /bin/sh -c', () => {
    for (const c of ['cd x && ./mmu', 'mmu | tee log', 'FOO=1 mmu', 'mmu $HOME', 'mmu > out', "mmu 'unterminated", 'mmu "$X"']) {
      expect(planSpawn(c), c).toEqual({ file: '/bin/sh', args: ['-c', c], viaShell: true });
    }
  });
});

describe('x64spec-impl/1 lines', () => {
  it('builds hello and case lines as DESIGN.md shows them', () => {
    expect(JSON.parse(helloLine(['paging']))).toEqual({ type: 'hello', protocol: 'x64spec-impl/1', suites: ['paging'] });
    expect(JSON.parse(caseLine('pg-1', 'paging', { a: 1 }))).toEqual({ type: 'case', id: 'pg-1', suite: 'paging', input: { a: 1 } });
  });

  it('accepts a well-formed hello, with or without a profile', () => {
    const base = { type: 'hello', protocol: 'x64spec-impl/1', name: 'n', version: '1', suites: ['paging'] };
    expect(parseHello(JSON.stringify(base))).toEqual({ ok: true, value: { name: 'n', version: '1', suites: ['paging'] } });
    const profile = { maxphyaddr: 40, features: ['nx', 'la57'] };
    expect(parseHello(JSON.stringify({ ...base, profile }))).toEqual({ ok: true, value: { name: 'n', version: '1', suites: ['paging'], profile } });
  });

  it('says what is wrong with a bad hello', () => {
    const base = { type: 'hello', protocol: 'x64spec-impl/1', name: 'n', version: '1', suites: ['paging'] };
    const problem = (o: unknown) => { const p = parseHello(typeof o === 'string' ? o : JSON.stringify(o)); return p.ok ? '' : p.problem; };
    expect(problem('hello?')).toMatch(/^hello: not JSON/);
    expect(problem({ ...base, type: 'result' })).toMatch(/expected a hello, got type "result"/);
    expect(problem({ ...base, protocol: 'x64spec-impl/2' })).toMatch(/protocol "x64spec-impl\/2" is not x64spec-impl\/1/);
    expect(problem({ ...base, name: '' })).toMatch(/name must be a non-empty string/);
    expect(problem({ ...base, suites: ['pagingx'] })).toMatch(/suites must be an array/);
    expect(problem({ ...base, profile: { maxphyaddr: 64, features: [] } })).toMatch(/profile.maxphyaddr must be an integer 32..52/);
  });

  it('parses results and rejects malformed ones', () => {
    expect(parseResult('{"type":"result","id":"a","output":{"outcome":"ok"}}')).toEqual({ ok: true, value: { id: 'a', output: { outcome: 'ok' } } });
    expect(parseResult('{"type":"result","id":"a","unsupported":"no PKU"}')).toEqual({ ok: true, value: { id: 'a', unsupported: 'no PKU' } });
    const problem = (s: string) => { const p = parseResult(s); return p.ok ? '' : p.problem; };
    expect(problem('[1]')).toMatch(/not a JSON object/);
    expect(problem('{"type":"result","output":{}}')).toMatch(/without a string id/);
    expect(problem('{"type":"result","id":"a","output":[]}')).toMatch(/needs an object 'output' or a string 'unsupported'/);
    expect(problem('x'.repeat(500))).toMatch(/… \(500 characters\)/);
  });
});

describe('shards', () => {
  it('parses i/N and rejects the rest', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/4', '5/4', '1/0', '1-4', 'a/b']) expect(() => parseShard(bad), bad).toThrow(UsageError);
  });

  it('puts each id in exactly one shard, by its FNV-1a hash', () => {
    // FNV-1a of "a": (0x811c9dc5 ^ 0x61) * 0x01000193 mod 2^32 = 0xe40c292c.
    expect(idHash('a')).toBe(0xe40c292c);
    for (let i = 0; i < 200; i++) {
      const id = `pg-${i}`;
      expect([1, 2, 3].filter((k) => inShard(id, { index: k, count: 3 }))).toHaveLength(1);
    }
  });
});

describe('profiles', () => {
  const profile = { maxphyaddr: 40, features: ['nx', 'smep', 'smap', 'pku', 'pdpe1gb', 'la57'] };
  const input = (maxphyaddr: number, features: string[]) => ({ cpu: { maxphyaddr, features } });
  it('fits a vector with the same MAXPHYADDR whose features the profile has', () => {
    expect(profileMismatch(profile, input(40, ['nx', 'pdpe1gb']))).toBeUndefined();
    expect(profileMismatch(profile, input(40, ['nx', 'smep', 'smap', 'pku', 'pdpe1gb']))).toBeUndefined();
  });
  it('rejects another MAXPHYADDR, a missing feature, or a CPU without 1-GiB pages', () => {
    expect(profileMismatch(profile, input(46, ['pdpe1gb']))).toBe('profile has MAXPHYADDR 40, the vector needs 46');
    expect(profileMismatch({ maxphyaddr: 40, features: ['nx', 'pdpe1gb'] }, input(40, ['pku', 'pdpe1gb']))).toBe('profile lacks pku');
    expect(profileMismatch(profile, input(40, ['nx']))).toMatch(/profile has pdpe1gb, which the vector's CPU lacks/);
  });
});
