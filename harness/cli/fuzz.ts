import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UsageError, type Command } from './command.ts';
import { adapterFactory } from '../adapters/index.ts';
import { fuzzPaging, type FuzzResult } from '../fuzz/differential.ts';
import { int, one, parseFlags, suitesFlag } from '../runner/args.ts';
import { formatVectorLine } from '../../vectors/io/index.ts';

const USAGE = `usage: x64spec fuzz --impl <spec> --suite paging [--seed N] [--runs N] [--timeout ms] [--path P]

Differential fuzzing: random paging cases go to the implementation and to the model; the
first difference is shrunk to a minimal case and printed as a vector line, ready to commit,
with the command that replays it.

  --impl <spec>     model | <module.ts|.js|.mjs> | process:'<command>' | qemu | ovmf
  --suite paging    the suite to fuzz (paging)
  --seed N          fast-check seed (default: random, printed)
  --runs N          cases to try (default 1000)
  --timeout ms      time limit per case (default 5000)
  --path P          replay only the case at this fast-check path (from an earlier report)
  --out dir         where the counterexample's .jsonl file goes (default out/fuzz)

Exit status: 0 when no difference was found, 1 when one was, 2 for bad usage.`;

/** Quotes an argument for a POSIX shell when it needs it. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function describeResult(r: FuzzResult, spec: string, file: string | undefined): string {
  const who = `${r.impl.name}${r.impl.version !== '' ? ' ' + r.impl.version : ''}`;
  if (r.counterexample === undefined) {
    const notes = [`seed ${r.seed}`];
    if (r.unsupported > 0) notes.push(`${r.unsupported} answered unsupported`);
    if (r.deviations > 0) notes.push(`${r.deviations} differed as documented deviations explain`);
    return `${who}: ${r.runs} runs, no difference from the model (${notes.join(', ')})`;
  }
  const c = r.counterexample;
  const lines = [`${who}: DIFFERENCE after ${c.afterRuns} run(s), shrunk ${c.shrinks} time(s) (seed ${r.seed})`];
  if (c.outcome.kind === 'differs') {
    for (const d of c.outcome.diff) lines.push(`  ${d.path}: expected ${JSON.stringify(d.expected)}, observed ${JSON.stringify(d.observed)}${d.clause !== undefined ? ` [${d.clause}]` : ''}`);
  } else {
    lines.push(`  error: ${c.outcome.reason}`);
  }
  lines.push('', 'vector (ready to commit, e.g. append to vectors/paging/<file>.jsonl):', formatVectorLine(c.vector), '', 'replay:');
  lines.push(`  x64spec fuzz --impl ${shellQuote(spec)} --suite paging --seed ${r.seed} --path ${shellQuote(c.path)}`);
  if (file !== undefined) lines.push(`  x64spec run --impl ${shellQuote(spec)} --vectors ${shellQuote(file)}`);
  return lines.join('\n');
}

export const command: Command = {
  summary: 'differential fuzzing of an implementation against the model, with shrinking',
  usage: USAGE,
  async run(args) {
    const flags = parseFlags(args, { values: ['impl', 'suite', 'seed', 'runs', 'timeout', 'path', 'out'] });
    const spec = one(flags, 'impl');
    if (spec === undefined) throw new UsageError('--impl is required (e.g. --impl process:\'./my-mmu\')');
    const suites = suitesFlag(flags) ?? ['paging'];
    if (suites.length !== 1 || suites[0] !== 'paging') throw new UsageError(`--suite ${suites.join(',')}: fuzzing supports the paging suite`);
    const seed = int(flags, 'seed', 0, 0x7fff_ffff) ?? Math.floor(Math.random() * 0x7fff_ffff);
    const runs = int(flags, 'runs', 1, 100_000_000) ?? 1000;
    const timeoutMs = int(flags, 'timeout', 1) ?? 5000;
    const path = one(flags, 'path');
    if (path !== undefined && !/^\d+(:\d+)*$/.test(path)) throw new UsageError(`--path ${path}: expected a fast-check path such as 12:0:3`);
    const outDir = resolve(one(flags, 'out') ?? 'out/fuzz');
    const factory = await adapterFactory(spec);
    process.stdout.write(`fuzzing ${spec} against the model: suite paging, seed ${seed}, ${path !== undefined ? `path ${path}` : `${runs} runs`}\n`);
    const result = await fuzzPaging({ factory, seed, runs, timeoutMs, workDir: join(outDir, 'work'), ...(path !== undefined ? { path } : {}) });
    let file: string | undefined;
    if (result.counterexample !== undefined) {
      mkdirSync(outDir, { recursive: true });
      file = join(outDir, `${result.counterexample.vector.id}.jsonl`);
      writeFileSync(file, formatVectorLine(result.counterexample.vector) + '\n');
      file = relative(process.cwd(), file) || file;
    }
    process.stdout.write(describeResult(result, spec, file) + '\n');
    return result.counterexample === undefined ? 0 : 1;
  },
};
