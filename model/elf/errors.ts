import type { ElfClauseId } from '../../spec/clauses/elf.ts';

/**
 * Why an ELF file could not be read: the clause it breaks, the field that was wrong
 * (`e_phoff`, `phdr[3].p_offset`, `DT_RELASZ`, `rela[12].r_info`…) and the file offset of
 * that field. Every malformed input yields one of these; the parser never throws.
 */
export interface ElfError {
  readonly kind: 'elf-error';
  readonly clause: ElfClauseId;
  readonly field: string;
  /** File offset of the field (or of the structure) that was wrong. */
  readonly offset: number;
  readonly message: string;
}

/** A result that is either a value or a typed error. */
export type ElfResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ElfError };

/**
 * Internal control flow: deep readers throw this and the public entry points catch it
 * (and only it) to return `{ ok: false }`. It never escapes the module.
 */
export class ElfFailure {
  constructor(readonly error: ElfError) {}
}

export function elfError(clause: ElfClauseId, field: string, offset: number, message: string): ElfError {
  return { kind: 'elf-error', clause, field, offset, message };
}

/** Throws an `ElfFailure` for the public entry point to turn into a result. */
export function fail(clause: ElfClauseId, field: string, offset: number, message: string): never {
  throw new ElfFailure(elfError(clause, field, offset, message));
}

/** Runs `body`, turning an `ElfFailure` into `{ ok: false }`; other exceptions are bugs and propagate. */
export function catchElf<T>(body: () => T): ElfResult<T> {
  try {
    return { ok: true, value: body() };
  } catch (e) {
    if (e instanceof ElfFailure) return { ok: false, error: e.error };
    throw e;
  }
}

/** `0x…` for messages. */
export function hex(v: bigint | number): string {
  return '0x' + v.toString(16);
}
