/**
 * The suite registry: every suite the harness can run. Suite owners add ONE import line
 * and ONE entry to `SUITE_DEFINITIONS` below (nothing else in this file changes).
 */
import type { Suite } from '../types.ts';
import type { SuiteDefinition } from './types.ts';
// ── suite imports (one line per suite) ──
import { definition as paging } from './paging.ts';
import { definition as mapper } from './mapper.ts';
import { definition as elf } from './elf.ts';
import { definition as uefi } from './uefi.ts';
import { definition as handoff } from './handoff.ts';

export const SUITE_DEFINITIONS: readonly SuiteDefinition[] = [
  // ── suite entries (one line per suite) ──
  paging,
  mapper,
  elf,
  uefi,
  handoff,
];

/** The definition of `suite`, or undefined while that suite is not registered. */
export function suiteDefinition(suite: Suite): SuiteDefinition | undefined {
  return SUITE_DEFINITIONS.find((d) => d.suite === suite);
}

/** The suites that have a registered definition, in registry order. */
export function registeredSuites(): Suite[] {
  return SUITE_DEFINITIONS.map((d) => d.suite);
}
