import { ELF_CLAUSES, type ElfClauseId } from '../../spec/clauses/elf.ts';
import type { ElfError } from './errors.ts';
import type { LoaderProfile, Severity } from './profiles.ts';

/** One finding of validation: the clause it concerns, how it counts, and where in the file. */
export interface Diagnostic {
  readonly clause: ElfClauseId;
  /** The clause's source section (gABI / psABI / SDM). */
  readonly source: string;
  readonly severity: 'error' | 'warning';
  readonly field: string;
  readonly offset: number;
  readonly message: string;
}

const SOURCES = new Map<string, string>(ELF_CLAUSES.map((c) => [c.id, c.source]));

export function sourceOf(clause: ElfClauseId): string {
  return SOURCES.get(clause)!;
}

/**
 * Collects findings under a profile: each check states its default severity, the
 * profile may override it per clause, and `off` drops the finding.
 */
export class Findings {
  readonly list: Diagnostic[] = [];

  constructor(private readonly profile: LoaderProfile) {}

  add(clause: ElfClauseId, field: string, offset: number, message: string, severity: Severity = 'error'): void {
    const s = this.profile.severity[clause] ?? severity;
    if (s === 'off') return;
    this.list.push({ clause, source: sourceOf(clause), severity: s, field, offset, message });
  }

  /** A parse failure: always an error (nothing past it can be read). */
  addError(e: ElfError): void {
    this.list.push({ clause: e.clause, source: sourceOf(e.clause), severity: 'error', field: e.field, offset: e.offset, message: e.message });
  }

  get hasErrors(): boolean {
    return this.list.some((d) => d.severity === 'error');
  }
}
