/** Loading the vectors a run uses: `--vectors` files/directories, or the committed corpus. */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../cli/command.ts';
import { formatProblem, readVectorFiles } from '../../vectors/io/index.ts';
import { SUITES, type LocatedVector, type Suite } from '../types.ts';

export const PROJECT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The committed corpus folders (`vectors/<suite>/`) that exist. */
export function corpusDirs(suites: readonly Suite[] = SUITES): string[] {
  return suites.map((s) => join(PROJECT_DIR, 'vectors', s)).filter((d) => existsSync(d));
}

/**
 * Reads vectors; any problem in the files is a UsageError listing the first problems with
 * file, line and JSON path (a run never goes ahead on a partly unreadable corpus).
 */
export function loadVectors(paths: readonly string[] | undefined, suites: readonly Suite[] | undefined): LocatedVector[] {
  const from = paths !== undefined && paths.length > 0 ? paths : corpusDirs(suites ?? SUITES);
  if (from.length === 0) throw new UsageError('no vectors: the corpus folders vectors/<suite>/ are missing; pass --vectors <files/dirs>');
  const r = readVectorFiles(from, suites !== undefined ? { suites } : {});
  if (r.problems.length > 0) {
    const shown = r.problems.slice(0, 10).map((p) => '  ' + formatProblem({ ...p, file: relative(process.cwd(), p.file) || p.file }));
    const more = r.problems.length > 10 ? `\n  … and ${r.problems.length - 10} more` : '';
    throw new UsageError(`${r.problems.length} problem(s) in the vector files:\n${shown.join('\n')}${more}`);
  }
  return r.vectors;
}
