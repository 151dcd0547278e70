import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { definition } from '../../harness/suites/mapper.ts';
import { mapperCorpusFiles } from '../generate/mapper/corpus.ts';
import { formatVectorFile, readVectorFiles } from '../io/index.ts';
import type { JsonObject } from '../../harness/types.ts';

const hex = (n: number) => '0x' + n.toString(16);

const DIR = join(import.meta.dirname, '.');
const corpus = readVectorFiles([DIR]);

describe('the committed mapper corpus', () => {
  it('reads without problems and holds at least 500 vectors', () => {
    expect(corpus.problems).toEqual([]);
    expect(corpus.vectors.length).toBeGreaterThanOrEqual(500);
  });

  it.each(mapperCorpusFiles().map((f) => [f.name, f] as const))('%s is exactly what the generator produces', (name, f) => {
    expect(readFileSync(join(DIR, name), 'utf8') === formatVectorFile(f.build())).toBe(true);
  });

  it('holds every typed result the mapper can give for these inputs', () => {
    const kinds = new Set(corpus.vectors.flatMap((v) => (v.expect as { results: ({ ok: true } | { error: string })[] }).results.map((r) => ('ok' in r ? 'ok' : r.error))));
    expect([...kinds].sort()).toEqual([
      'AlreadyMapped', 'FrameAboveMaxPhyAddr', 'FrameAllocationFailed', 'HugePagesUnsupported', 'MalformedEntry', 'Misaligned', 'NoExecuteDisabled',
      'NonCanonical', 'NotMapped', 'ParentIsHugePage', 'ParentRestrictsRights', 'SizeMismatch', 'TableInTheWay', 'ok',
    ]);
  });

  it('passes a mapper that takes its table frames in another order (the judge is semantic)', () => {
    let relocated = 0;
    const failures = corpus.vectors.filter((v) => {
      const frames = (v.input as { frames: { start: string; end: string }[] }).frames;
      if (frames.length !== 1) return false;
      const start = Number.parseInt(frames[0]!.start, 16);
      const end = Number.parseInt(frames[0]!.end, 16);
      const mid = start + Math.floor((end - start) / 0x2000) * 0x1000;
      if (mid === start) return false;
      // The same frames, second half first: every new table lands somewhere else.
      const swapped = { ...v.input, frames: [{ start: hex(mid), end: hex(end) }, { start: hex(start), end: hex(mid) }] };
      const out = definition.modelAnswer(swapped as JsonObject) as { memory: unknown[] };
      if (out.memory.length > 0) relocated++;
      return definition.judge(v, out as unknown as JsonObject).length > 0;
    });
    expect(failures.map((v) => v.id)).toEqual([]);
    expect(relocated).toBeGreaterThan(300);
  });

  it('is passed by the model through the suite definition', () => {
    const failures = corpus.vectors.filter((v) => {
      const answer = definition.modelAnswer(v.input);
      return 'unsupported' in answer || definition.judge(v, answer).length > 0;
    });
    expect(failures.map((v) => v.id)).toEqual([]);
  });
});
