// The `uefi` corpus and suite: every line reads cleanly, the file is what the generator
// writes, the model passes its own judge on every vector, and the judge names the broken
// clause for wrong statuses, sizes, strides and keys.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { definition } from '../../harness/suites/uefi.ts';
import type { JsonObject, Vector } from '../../harness/types.ts';
import { parseVectorText } from '../io/read.ts';
import { uefiCorpusText } from './cases.ts';
import { UEFI_CORPUS_FILE } from './generate.ts';
import { parseUefiInput, UefiInputError } from './io.ts';

function corpus(): Vector[] {
  const r = parseVectorText(readFileSync(UEFI_CORPUS_FILE, 'utf8'), UEFI_CORPUS_FILE);
  expect(r.problems).toEqual([]);
  return r.vectors;
}
const byId = (vs: Vector[], id: string): Vector => vs.find((v) => v.id === id)!;
const clone = (o: JsonObject): JsonObject => JSON.parse(JSON.stringify(o)) as JsonObject;
type R = { [k: string]: unknown };
const results = (o: JsonObject): R[] => o.results as R[];

describe('uefi corpus', () => {
  const vectors = corpus();

  it('calls.jsonl is what the generator writes now (npx tsx vectors/uefi/generate.ts)', () => {
    expect(readFileSync(UEFI_CORPUS_FILE, 'utf8')).toBe(uefiCorpusText());
  });

  it('UEFI.EBS.STALE_KEY / UEFI.MMAP.KEY_CHANGES / UEFI.SVAM.ONCE: the model passes its own judge on every vector', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(30);
    for (const v of vectors) {
      const answer = definition.modelAnswer(v.input) as JsonObject;
      expect(definition.judge(v, answer), v.id).toEqual([]);
    }
  });

  it('UEFI.EBS.STALE_KEY: accepting a stale key is caught', () => {
    const v = byId(vectors, 'uefi-ebs-stale-key');
    const out = clone(definition.modelAnswer(v.input) as JsonObject);
    results(out)[2]!.status = 'EFI_SUCCESS';
    expect(definition.judge(v, out)).toEqual([{ path: '$.results[2].status', expected: ['EFI_INVALID_PARAMETER'], observed: 'EFI_SUCCESS', clause: 'UEFI.EBS.STALE_KEY' }]);
  });

  it('UEFI.MMAP.BUFFER_TOO_SMALL / UEFI.MMAP.DESCRIPTOR_SIZE / UEFI.MMAP.DESCRIPTOR_VERSION: sizes, strides and versions are judged', () => {
    const v = byId(vectors, 'uefi-mmap-stride-56');
    const out = clone(definition.modelAnswer(v.input) as JsonObject);
    results(out)[0]!.mapSize = 48;
    results(out)[1]!.descriptorSize = 48;
    results(out)[1]!.descriptorVersion = 2;
    expect(definition.judge(v, out).map((d) => d.clause)).toEqual(['UEFI.MMAP.BUFFER_TOO_SMALL', 'UEFI.MMAP.DESCRIPTOR_SIZE', 'UEFI.MMAP.DESCRIPTOR_VERSION']);
  });

  it('UEFI.MMAP.KEY_CHANGES: a frozen key after an allocation, a moving key with nothing in between, a missing key', () => {
    const pages = byId(vectors, 'uefi-key-pages');
    const frozen = clone(definition.modelAnswer(pages.input) as JsonObject);
    results(frozen)[2]!.key = results(frozen)[0]!.key;
    expect(definition.judge(pages, frozen).map((d) => d.clause)).toEqual(['UEFI.MMAP.KEY_CHANGES']);
    const quiet = byId(vectors, 'uefi-key-quiet');
    const moving = clone(definition.modelAnswer(quiet.input) as JsonObject);
    results(moving)[1]!.key = 999;
    expect(definition.judge(quiet, moving).map((d) => d.path)).toEqual(['$.results[1].key']);
    delete results(moving)[3]!.key;
    expect(definition.judge(quiet, moving).map((d) => d.path)).toEqual(['$.results[1].key', '$.results[3].key']);
  });

  it('UEFI.EBS.AFTER_FAILURE: a forbidden call accepts any answer, but the count and shape of results are judged', () => {
    const v = byId(vectors, 'uefi-ebs-failure-forbids-others');
    const out = clone(definition.modelAnswer(v.input) as JsonObject);
    results(out)[2] = { status: 'EFI_SUCCESS' };
    expect(definition.judge(v, out)).toEqual([]);
    expect(definition.judge(v, { results: [] }).map((d) => d.path)).toEqual(['$.results', '$.results[0]', '$.results[1]']);
    expect(definition.judge(v, {})).toEqual([{ path: '$.results', expected: '3 results', observed: null }]);
    expect(definition.judge(v, { results: [{ status: 'EFI_BOGUS' }, 3, { status: 'EFI_INVALID_PARAMETER' }] }).map((d) => d.path)).toEqual(['$.results[0].status', '$.results[1]']);
  });
});

describe('uefi input errors name the JSON path', () => {
  const base = (): JsonObject => ({ map: 'firmware', calls: [] });
  const err = (input: JsonObject): string => {
    try {
      parseUefiInput(input);
      return 'ok';
    } catch (e) {
      if (e instanceof UefiInputError) return e.message;
      throw e;
    }
  };
  it('rejects bad calls, maps, perturbations and firmware fields', () => {
    expect(err({ ...base(), calls: [{ op: 'Reboot' }] })).toBe("$.input.calls[0].op: unknown call 'Reboot'");
    expect(err({ ...base(), calls: [{ op: 'AllocatePages', kind: 'Anywhere', type: 2, pages: 1 }] })).toBe('$.input.calls[0].kind: expected AnyPages, MaxAddress or Address');
    expect(err({ ...base(), calls: [{ op: 'AllocatePages', kind: 'AnyPages', type: 'EfiNothing', pages: 1 }] })).toBe('$.input.calls[0].type: unknown memory type "EfiNothing"');
    expect(err({ ...base(), calls: [{ op: 'FreePool', pointer: 'result:x' }] })).toContain('$.input.calls[0].pointer: expected a number');
    expect(err({ ...base(), calls: [{ op: 'ExitBootServices', key: -1 }] })).toBe('$.input.calls[0].key: expected a non-negative integer or "0x…"');
    expect(err({ ...base(), calls: [{ op: 'GetMemoryMap', bufferSize: 0, buffer: 'no' }] })).toBe('$.input.calls[0].buffer: expected true or false');
    expect(err({ ...base(), calls: [{ op: 'SetVirtualAddressMap', descriptorSize: 48, descriptorVersion: 1, map: 'all' }] })).toBe('$.input.calls[0].map: expected runtime-identity or runtime-identity-minus-one');
    expect(err({ ...base(), calls: [{ op: 'OtherBootService' }] })).toBe('$.input.calls[0].service: expected a string');
    expect(err({ ...base(), calls: {} })).toBe('$.input.calls: expected an array');
    expect(err({ ...base(), calls: [3] })).toBe('$.input.calls[0]: expected an object');
    expect(err({ map: [{ type: 7, start: '0x10', pages: 1 }], calls: [] })).toBe('$.input.map[0].start: must be 4 KiB aligned (UEFI.MMAP.PAGES)');
    expect(err({ map: [{ type: 7, start: '0x1000', pages: 1, attribute: 5 }], calls: [] })).toBe('$.input.map[0].attribute: expected a "0x…" value');
    expect(err({ ...base(), perturbations: [{ beforeCall: 0, source: 'smm', action: 'allocate' }] })).toBe('$.input.perturbations[0].source: expected timer or notify');
    expect(err({ ...base(), perturbations: [{ beforeCall: 0, source: 'timer', action: 'steal' }] })).toBe('$.input.perturbations[0].action: expected allocate or free');
    expect(err({ ...base(), firmware: { descriptorSize: 'big' } })).toBe('$.input.firmware.descriptorSize: expected a non-negative integer or "0x…"');
  });
  it('a reference to a call that returned nothing is reported', () => {
    expect(() => definition.modelAnswer({ map: 'firmware', calls: [{ op: 'FreePool', pointer: 'result:0' }] })).toThrow(/refers to call 0/);
    expect(() => definition.modelAnswer({ map: 'firmware', calls: [{ op: 'ExitBootServices', key: 'map:latest' }] })).toThrow(/GetMemoryMap that returned no key/);
  });
});
