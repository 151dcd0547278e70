import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { Vector } from '../types.ts';
import { formatProblem, formatVectorFile, readVectorFiles } from '../../vectors/io/index.ts';
import { asPagingInput, pagingInputToModel } from '../../vectors/io/paging.ts';
import { runnerConstraintProblems } from '../../vectors/generate/constraints.ts';
import { walk } from '../../model/paging/walk.ts';
import { modelExpectMismatch } from '../../vectors/semantics/model-expect.ts';
import { UsageError, type Command } from './command.ts';

const USAGE = `usage: x64spec vectors generate --suite paging|mapper --seed N --count K [--out FILE]
       x64spec vectors generate --suite paging|mapper --corpus [--dir DIR]
       x64spec vectors check [--runner-constraints] [--model] FILE|DIR...

generate  Writes K vectors generated from fast-check seed N (JSON Lines; stdout unless
          --out). The committed generated files are exactly these for the seeds and counts
          in docs/vectors.md, so regenerating reproduces them byte for byte.
          --corpus rewrites every committed file of the suite (curated and generated) in
          DIR (default: vectors/<suite>); review the diff: a changed expectation means the
          model changed.
check     Validates vector files (or every *.jsonl under a directory) against
          spec/schemas and prints each problem as file:line: JSON path: message.
          --runner-constraints also checks that paging vectors can run in the QEMU guest
          runner (spec/vector-constraints.ts). --model recomputes every paging and
          mapper expectation with the model and reports where a vector departs from it
          (e.g. a hand-written or fuzz-found line). Exit 1 when anything is wrong.`;

type GenSuite = 'paging' | 'mapper';

async function corpusFiles(suite: GenSuite): Promise<{ name: string; build(): Vector[] }[]> {
  if (suite === 'paging') return (await import('../../vectors/generate/corpus.ts')).pagingCorpusFiles();
  return (await import('../../vectors/generate/mapper/corpus.ts')).mapperCorpusFiles();
}

async function generated(suite: GenSuite, seed: number, count: number): Promise<Vector[]> {
  if (suite === 'paging') return (await import('../../vectors/generate/generate-paging.ts')).generatePagingVectors(seed, count);
  return (await import('../../vectors/generate/mapper/generate-mapper.ts')).generateMapperVectors(seed, count);
}

function intArg(name: string, text: string | undefined, min: number, max: number): number {
  if (text === undefined) throw new UsageError(`--${name} is required`);
  if (!/^-?\d+$/.test(text)) throw new UsageError(`--${name} must be an integer, got '${text}'`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`--${name} must be from ${min} to ${max}, got ${n}`);
  return n;
}

function suiteArg(text: string | undefined): GenSuite {
  if (text === 'paging' || text === 'mapper') return text;
  throw new UsageError(text === undefined ? '--suite is required (paging or mapper)' : `--suite must be paging or mapper, got '${text}'`);
}

async function generate(args: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args], allowPositionals: false, strict: true,
      options: { suite: { type: 'string' }, seed: { type: 'string' }, count: { type: 'string' }, out: { type: 'string' }, corpus: { type: 'boolean' }, dir: { type: 'string' } },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const suite = suiteArg(values.suite);
  if (values.corpus) {
    const dir = values.dir ?? join('vectors', suite);
    mkdirSync(dir, { recursive: true });
    for (const f of await corpusFiles(suite)) {
      const vectors = f.build();
      writeFileSync(join(dir, f.name), formatVectorFile(vectors));
      process.stderr.write(`${join(dir, f.name)}: ${vectors.length} vectors\n`);
    }
    return 0;
  }
  const seed = intArg('seed', values.seed, -(2 ** 31), 2 ** 31 - 1);
  const count = intArg('count', values.count, 1, 1_000_000);
  const text = formatVectorFile(await generated(suite, seed, count));
  if (values.out === undefined) process.stdout.write(text);
  else {
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, text);
  }
  return 0;
}

function check(args: readonly string[]): number {
  const runner = args.includes('--runner-constraints');
  const model = args.includes('--model');
  const paths = args.filter((a) => a !== '--runner-constraints' && a !== '--model');
  const unknown = paths.find((a) => a.startsWith('--'));
  if (unknown !== undefined) throw new UsageError(`unknown option ${unknown}`);
  if (paths.length === 0) throw new UsageError('give the vector files or directories to check');
  const r = readVectorFiles(paths);
  const lines = r.problems.map((p) => formatProblem({ ...p, file: relative(process.cwd(), p.file) || p.file }));
  if (runner) {
    for (const v of r.vectors) {
      if (v.suite !== 'paging') continue;
      const input = asPagingInput(v.input);
      const { state, access } = pagingInputToModel(input);
      for (const msg of runnerConstraintProblems(input, walk(state, access))) {
        lines.push(`${relative(process.cwd(), v.source.file) || v.source.file}:${v.source.line}: $.input: ${msg} (runner-constraint)`);
      }
    }
  }
  if (model) {
    for (const v of r.vectors) {
      const d = modelExpectMismatch(v);
      if (d === undefined || d === null) continue;
      lines.push(`${relative(process.cwd(), v.source.file) || v.source.file}:${v.source.line}: ${d.path}: the vector says ${JSON.stringify(d.vector)}, the model ${JSON.stringify(d.model)} (model)`);
    }
  }
  for (const l of lines) process.stdout.write(l + '\n');
  process.stderr.write(`${r.vectors.length} vectors read, ${lines.length} problem(s)\n`);
  return lines.length > 0 ? 1 : 0;
}

export const command: Command = {
  summary: 'generate the vector corpus from fixed seeds, or check vector files',
  usage: USAGE,
  async run(args) {
    const [sub, ...rest] = args;
    switch (sub) {
      case 'generate': return generate(rest);
      case 'check': return check(rest);
      default: throw new UsageError(sub === undefined ? 'give a subcommand: generate or check' : `unknown subcommand '${sub}' (generate or check)`);
    }
  },
};
