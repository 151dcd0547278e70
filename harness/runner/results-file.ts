/** Builds and writes the `x64spec-results/1` file (harness/results.ts) that `x64spec report` reads. */
import { cpus, totalmem } from 'node:os';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULTS_FORMAT, type ImplementationRun, type MachineInfo, type ResultsFile } from '../results.ts';
import type { Shard } from './shard.ts';

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
  };
}

/** The project's version (package.json). */
export function projectVersion(): string {
  const pkg = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
  try {
    const v = (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? v : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export interface ResultsMeta {
  readonly command: readonly string[];
  readonly startedAt: string;
  readonly durationMs: number;
  readonly seed?: number;
  readonly shard?: Shard;
}

export function resultsFile(runs: readonly ImplementationRun[], meta: ResultsMeta): ResultsFile {
  return {
    format: RESULTS_FORMAT,
    x64specVersion: projectVersion(),
    command: meta.command,
    startedAt: meta.startedAt,
    durationMs: meta.durationMs,
    ...(meta.seed !== undefined ? { seed: meta.seed } : {}),
    ...(meta.shard !== undefined ? { shard: { index: meta.shard.index, count: meta.shard.count } } : {}),
    machine: machineInfo(),
    runs,
  };
}

/** Writes atomically (temp file + rename), so a reader never sees half a file. */
export function writeResults(path: string, file: ResultsFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(file, null, 1) + '\n');
  renameSync(tmp, path);
}
