import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESULTS_FORMAT, type ResultsFile } from '../../harness/results.ts';
import { checkSchema, schemaFileNames, SCHEMA_DIR, validatorFor } from '../../vectors/io/schemas.ts';

describe('spec/schemas', () => {
  it.each(schemaFileNames())('%s is a draft 2020-12 schema that compiles under Ajv strict mode', (name) => {
    const doc = JSON.parse(readFileSync(join(SCHEMA_DIR, name), 'utf8')) as { $schema: string; $id: string };
    expect(doc.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(doc.$id).toBe(name);
    expect(() => validatorFor(name)).not.toThrow();
  });

  it('holds the envelope, paging, mapper, protocol and results schemas', () => {
    expect(schemaFileNames()).toEqual(expect.arrayContaining([
      'common.schema.json', 'vector.schema.json', 'paging-input.schema.json', 'paging-expect.schema.json', 'paging-output.schema.json',
      'mapper-input.schema.json', 'mapper-expect.schema.json', 'mapper-output.schema.json', 'impl.schema.json', 'results.schema.json',
    ]));
  });

  describe('x64spec-impl/1 messages', () => {
    const ok = (msg: object) => checkSchema('impl.schema.json', msg);
    it('accepts the DESIGN.md exchange', () => {
      expect(ok({ type: 'hello', protocol: 'x64spec-impl/1', suites: ['paging'] })).toBeUndefined();
      expect(ok({ type: 'hello', protocol: 'x64spec-impl/1', name: 'qemu', version: '7.2', suites: ['paging'], profile: { maxphyaddr: 40, features: ['nx', 'smep'] } })).toBeUndefined();
      expect(ok({ type: 'case', id: 'pg-1', suite: 'paging', input: {} })).toBeUndefined();
      expect(ok({ type: 'result', id: 'pg-1', output: { outcome: 'ok' } })).toBeUndefined();
      expect(ok({ type: 'result', id: 'pg-1', unsupported: 'no PKU' })).toBeUndefined();
      expect(ok({ type: 'bye' })).toBeUndefined();
    });
    it('rejects malformed messages', () => {
      expect(checkSchema('impl.schema.json#/$defs/result', { type: 'result', id: 'x', output: {}, unsupported: 'both' })).toBeDefined();
      expect(checkSchema('impl.schema.json#/$defs/implHello', { type: 'hello', protocol: 'x64spec-impl/2', name: 'a', version: '1', suites: [] })).toMatchObject({ path: '$.protocol' });
      expect(checkSchema('impl.schema.json#/$defs/case', { type: 'case', id: 'x', suite: 'nope', input: {} })).toMatchObject({ path: '$.suite' });
      expect(ok({ type: 'bye', extra: 1 })).toBeDefined();
    });
  });

  describe('results.schema.json', () => {
    const file: ResultsFile = {
      format: RESULTS_FORMAT, x64specVersion: '0.1.0', command: ['run', '--impl', 'model'], startedAt: '2026-01-01T00:00:00.000Z', durationMs: 12,
      machine: { node: 'v20', platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'x', memoryBytes: 1 },
      runs: [{
        impl: { spec: 'model', kind: 'model', name: 'x64spec model', version: '0.1.0', suites: ['paging'] },
        suites: ['paging'], startedAt: '2026-01-01T00:00:00.000Z', durationMs: 3, counts: { pass: 1, fail: 1, unsupported: 0, error: 0 },
        cases: [
          { id: 'a', suite: 'paging', title: 't', clauses: [], verdict: 'pass', source: { file: 'f.jsonl', line: 1 } },
          { id: 'b', suite: 'paging', title: 't', clauses: ['PG.PF.CR2'], verdict: 'fail', source: { file: 'f.jsonl', line: 2 }, diff: [{ path: '$.cr2', expected: '0x1', observed: '0x2', clause: 'PG.PF.CR2' }], input: {}, expect: {}, observed: null },
        ],
      }],
    };
    it('accepts a file shaped like harness/results.ts', () => expect(checkSchema('results.schema.json', file)).toBeUndefined());
    it('rejects a wrong verdict with its path', () => {
      const bad = structuredClone(file) as unknown as { runs: { cases: { verdict: string }[] }[] };
      bad.runs[0]!.cases[1]!.verdict = 'flaky';
      expect(checkSchema('results.schema.json', bad)).toMatchObject({ path: '$.runs[0].cases[1].verdict' });
    });
  });

  it('paging-expect allows #GP only with error code 0x0 and #PF only with errorCode and cr2', () => {
    expect(checkSchema('paging-expect.schema.json', { outcome: 'fault', vector: 13, errorCode: '0x0', memory: [] })).toBeUndefined();
    expect(checkSchema('paging-expect.schema.json', { outcome: 'fault', vector: 13, errorCode: '0x1', memory: [] })).toMatchObject({ path: '$.errorCode' });
    expect(checkSchema('paging-expect.schema.json', { outcome: 'fault', vector: 14, errorCode: '0x1', memory: [] })).toMatchObject({ message: "missing required property 'cr2'" });
    expect(checkSchema('paging-expect.schema.json', { outcome: 'ok', pa: '0x1000', memory: [{ pa: '0x1000', oneOf: [] }] })).toMatchObject({ path: '$.memory[0].oneOf' });
  });
});
