import { resolve } from 'node:path';
import { UsageError, type Command } from './command.ts';
import { all, int, one, parseFlags, suitesFlag } from '../runner/args.ts';
import { loadVectors } from '../runner/corpus.ts';
import { DEFAULT_TIMEOUT_MS, defaultJobs, runJob, summariseRun } from '../runner/job.ts';
import { parseShard } from '../runner/shard.ts';

const USAGE = `usage: x64spec run --impl <spec> [--impl <spec>…] [options]

Runs implementations over the vectors and writes a results file (x64spec-results/1).

  --impl <spec>        model | <module.ts|.js|.mjs> | process:'<command>' | qemu | ovmf (repeatable)
  --suite <s>[,<s>]    only these suites (paging, mapper, elf, uefi, handoff)
  --vectors <path>     vector files or directories (repeatable; default: the corpus vectors/<suite>/)
  --jobs N             parallel lanes: processes or worker threads (default: ${defaultJobs()})
  --shard i/N          run only shard i of N (split by vector id)
  --timeout ms         time limit per case (default ${DEFAULT_TIMEOUT_MS})
  --out file           results file (default out/results.json)
  --seed N             send cases in an order shuffled by N (results stay in corpus order)

Exit status: 0 when no case errored and every failure is a documented deviation
(spec/deviations), 1 otherwise, 2 for bad usage.`;

export const command: Command = {
  summary: 'run an implementation (model, module, process, qemu, ovmf) over the vectors',
  usage: USAGE,
  async run(args) {
    const flags = parseFlags(args, {
      values: ['impl', 'suite', 'vectors', 'jobs', 'shard', 'timeout', 'out', 'seed'],
      repeatable: ['impl', 'suite', 'vectors'],
    });
    const impls = all(flags, 'impl');
    if (impls.length === 0) throw new UsageError('--impl is required (e.g. --impl model)');
    const suites = suitesFlag(flags);
    const shardText = one(flags, 'shard');
    const shard = shardText !== undefined ? parseShard(shardText) : undefined;
    const jobs = int(flags, 'jobs', 1, 256);
    const timeoutMs = int(flags, 'timeout', 1);
    const seed = int(flags, 'seed', 0, 0xffff_ffff);
    const out = resolve(one(flags, 'out') ?? 'out/results.json');
    const vectors = loadVectors(all(flags, 'vectors'), suites);
    const { exitCode } = await runJob({
      impls,
      vectors,
      out,
      command: ['x64spec', 'run', ...args],
      ...(jobs !== undefined ? { jobs } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(shard !== undefined ? { shard } : {}),
      ...(seed !== undefined ? { seed } : {}),
      onRun: (run) => process.stdout.write(summariseRun(run) + '\n'),
    });
    process.stdout.write(`results: ${out}\n`);
    return exitCode;
  },
};
