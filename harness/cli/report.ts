import { UsageError, type Command } from './command.ts';
import { ReportInputError, writeReport } from '../../report/index.ts';

const USAGE = `usage: x64spec report [--results FILE …] [FILE …] [--out DIR] [--coverage DIR] [--bench FILE]

Regenerates the conformance report from saved results. Several results files (the
shards of one run, \`x64spec run --shard i/N\`, or runs of other implementations) are
merged into one report.

  --results FILE …  results files (x64spec-results/1), or folders of them (every
                    *.json directly inside); default out/results.json
  --out DIR         where report.html, report.json and junit.xml go (default out)
  --coverage DIR    @vitest/coverage-v8 output to summarise (default out/coverage)
  --bench FILE      benchmark figures from npm run bench (default out/bench.json)

Prints the three paths. Exit status 0 when the report was written (whatever the
verdicts), 2 for bad input.`;

interface Parsed {
  results: string[];
  outDir?: string;
  coverageDir?: string;
  benchFile?: string;
}

function parse(args: readonly string[]): Parsed {
  const p: Parsed = { results: [] };
  const value = (flag: string, i: number): string => {
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--results') {
      let any = false;
      while (args[i + 1] !== undefined && !args[i + 1]!.startsWith('--')) {
        p.results.push(args[++i]!);
        any = true;
      }
      if (!any) throw new UsageError('--results needs at least one file');
    } else if (a === '--out') p.outDir = value(a, i++);
    else if (a === '--coverage') p.coverageDir = value(a, i++);
    else if (a === '--bench') p.benchFile = value(a, i++);
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a} (try x64spec report --help)`);
    else p.results.push(a);
  }
  if (p.results.length === 0) p.results.push('out/results.json');
  return p;
}

export const command: Command = {
  summary: 'regenerate the HTML/JSON/JUnit report from saved results (merges shards)',
  usage: USAGE,
  async run(args) {
    const p = parse(args);
    try {
      const paths = await writeReport(p.results, {
        ...(p.outDir !== undefined ? { outDir: p.outDir } : {}),
        ...(p.coverageDir !== undefined ? { coverageDir: p.coverageDir } : {}),
        ...(p.benchFile !== undefined ? { benchFile: p.benchFile } : {}),
      });
      process.stdout.write(`report: ${paths.htmlPath}\njson:   ${paths.jsonPath}\njunit:  ${paths.junitPath}\n`);
      return 0;
    } catch (err) {
      if (err instanceof ReportInputError) throw new UsageError(err.message);
      throw err;
    }
  },
};
