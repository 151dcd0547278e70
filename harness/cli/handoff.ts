import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkHandoff } from '../../model/handoff/checker.ts';
import { parseHandoffState, type Json } from '../../model/handoff/json.ts';
import type { HandoffReport, Severity } from '../../model/handoff/types.ts';
import { clauseById } from '../../spec/clauses/index.ts';
import { checkSchema } from '../../vectors/io/schemas.ts';
import { UsageError, type Command } from './command.ts';

const USAGE = `usage: x64spec handoff check --state handoff.json [--json]

Checks a loader's state at the hand-off (new page tables, CR0/CR4/EFER, the code after
MOV CR3, RSP, the kernel entry, boot information, GDTR/IDTR, the final memory map…)
and prints every rule it breaks, with its HANDOFF.* clause, and what the CPU will do.
The format is spec/schemas/handoff-state.schema.json (docs/uefi.md has an example);
page tables are qwords in the file or a raw memory dump next to it (memoryDump.file).

  --state FILE   the state to check
  --json         print the report as JSON

Exit status: 0 when nothing would fault, 1 when the switch faults or a latent
violation would fault later, 2 for a bad command line or an invalid state file.`;

const ORDER: readonly Severity[] = ['fault', 'latent', 'warning'];
const LABEL: Record<Severity, string> = { fault: 'FAULT', latent: 'LATER', warning: 'WARN' };

/** The report as text: the prediction, then violations by severity with their clause titles. */
export function formatReport(report: HandoffReport): string {
  const p = report.prediction;
  const lines: string[] = [];
  switch (p.outcome) {
    case 'runs': lines.push('prediction: the switch works and the kernel starts'); break;
    case 'triple-fault': lines.push(`prediction: TRIPLE FAULT at ${p.stage}: ${p.explanation}`); break;
    case 'exception': lines.push(`prediction: exception ${p.vector} at ${p.stage}: ${p.explanation}`); break;
    case 'invalid': lines.push(`prediction: cannot judge: ${p.explanation}`); break;
  }
  const sorted = [...report.violations].sort((a, b) => ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity));
  if (sorted.length === 0) lines.push('no violations');
  for (const v of sorted) {
    lines.push(`${LABEL[v.severity].padEnd(5)} ${v.clause} (${clauseById(v.clause)?.title ?? '?'}) at ${v.path}`, `      ${v.message}`);
  }
  return lines.join('\n');
}

/** Exit status for a report: 1 when anything would fault now or later. */
export function exitStatusOf(report: HandoffReport): number {
  return report.prediction.outcome !== 'runs' || report.violations.some((v) => v.severity !== 'warning') ? 1 : 0;
}

function readState(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --state ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    throw new UsageError(`${path} is not JSON: ${(err as Error).message}`);
  }
}

export const command: Command = {
  summary: 'check a loader\'s hand-off state (page tables, stack, entry, memory map) and explain any fault',
  usage: USAGE,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub !== 'check') throw new UsageError(`unknown subcommand '${sub ?? ''}' (try: x64spec handoff check --state FILE)`);
    let values: { state?: string; json?: boolean };
    try {
      ({ values } = parseArgs({ args: [...rest], options: { state: { type: 'string' }, json: { type: 'boolean' } }, strict: true }));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (values.state === undefined) throw new UsageError('--state is required');
    const statePath = values.state;
    const json = readState(statePath);
    const schema = checkSchema('handoff-state.schema.json', json);
    if (schema !== undefined) throw new UsageError(`${statePath}: ${schema.path}: ${schema.message}`);
    const parsed = parseHandoffState(json, (file) => {
      const p = resolve(dirname(statePath), file);
      try {
        return readFileSync(p);
      } catch (err) {
        return `cannot read ${p}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
      }
    });
    if (!parsed.ok) throw new UsageError(`${statePath}: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    const report = checkHandoff(parsed.state);
    process.stdout.write((values.json ? JSON.stringify(report, null, 2) : formatReport(report)) + '\n');
    return exitStatusOf(report);
  },
};
