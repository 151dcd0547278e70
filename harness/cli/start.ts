import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UsageError, type Command } from './command.ts';
import { available } from '../adapters/index.ts';
import { all, int, parseFlags } from '../runner/args.ts';
import { loadVectors, PROJECT_DIR } from '../runner/corpus.ts';
import { runJob, summariseRun } from '../runner/job.ts';

const USAGE = `usage: x64spec start [--jobs N] [--timeout ms] [--out dir] [--skip <adapter>…]

The default job (npm start): the model over the whole committed corpus, then every real
implementation available on this machine (QEMU, OVMF…) over the same corpus, one results
file (out/results.json), and the report (out/report.html, report.json, junit.xml).
--skip <adapter> leaves out a real implementation (e.g. --skip ovmf: OVMF boots take minutes).

Exit status: 0 when the model passes every vector (differences of real implementations
are findings, shown in the report), 1 when the model fails or errors on any vector.`;

export const command: Command = {
  summary: 'the default job: model + every available real implementation over the corpus, then the report',
  usage: USAGE,
  async run(args) {
    const flags = parseFlags(args, { values: ['jobs', 'timeout', 'out', 'skip'], repeatable: ['skip'] });
    const skip = new Set(all(flags, 'skip'));
    const jobs = int(flags, 'jobs', 1, 256);
    const timeoutMs = int(flags, 'timeout', 1);
    const outDir = resolve(flags.values.get('out')?.[0] ?? 'out');
    const out = join(outDir, 'results.json');

    const vectors = loadVectors(undefined, undefined);
    const { usable, unusable } = await available();
    for (const u of unusable) process.stdout.write(`skipping ${u.name}: ${u.reason}\n`);
    for (const name of skip) {
      if (![...usable, ...unusable.map((u) => u.name)].includes(name)) throw new UsageError(`--skip ${name}: no adapter of that name (registered: ${[...usable, ...unusable.map((u) => u.name)].join(', ')})`);
      if (usable.includes(name)) process.stdout.write(`skipping ${name}: --skip\n`);
    }
    const impls = ['model', ...usable.filter((n) => !skip.has(n))];
    process.stdout.write(`running ${impls.join(', ')} over ${vectors.length} vectors\n`);
    const { file } = await runJob({
      impls,
      vectors,
      out,
      command: ['x64spec', 'start', ...args],
      ...(jobs !== undefined ? { jobs } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      onRun: (run) => process.stdout.write(summariseRun(run) + '\n'),
    });
    process.stdout.write(`results: ${relative(process.cwd(), out) || out}\n`);

    if (existsSync(join(PROJECT_DIR, 'report', 'index.ts'))) {
      const { writeReport } = await import('../../report/index.ts');
      const paths = await writeReport([out], { outDir, root: PROJECT_DIR });
      process.stdout.write(`report: ${relative(process.cwd(), paths.htmlPath) || paths.htmlPath}\n`);
    } else {
      process.stdout.write('report: the report writer (report/) is not installed; the results file above is complete\n');
    }
    const model = file.runs[0]!;
    return model.counts.fail + model.counts.error > 0 ? 1 : 0;
  },
};
