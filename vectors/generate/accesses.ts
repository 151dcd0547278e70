import type { AccessKind, Cpl } from '../../model/paging/types.ts';
import type { PagingClauseId } from '../../spec/clauses/paging.ts';

/** One way to make an access: privilege, kind, implicit or not, and how a title says it. */
export interface AccessType {
  readonly cpl: Cpl;
  readonly kind: AccessKind;
  readonly implicit: boolean;
  readonly words: string;
  /** PG.MODE.USER_ACCESS / PG.MODE.IMPLICIT_SUPERVISOR: the rule that makes it user- or supervisor-mode. */
  readonly modeClauses: readonly PagingClauseId[];
}

/** An access type; CPL 0–2 and implicit ones are supervisor-mode, CPL 3 explicit ones user-mode. */
export const accessType = (cpl: Cpl, kind: AccessKind, implicit: boolean, words: string): AccessType => ({
  cpl, kind, implicit, words,
  // CPL 1 and 2 are supervisor-mode too: PG.MODE.USER_ACCESS is what makes them so.
  modeClauses: implicit ? ['PG.MODE.IMPLICIT_SUPERVISOR'] : cpl !== 0 ? ['PG.MODE.USER_ACCESS'] : [],
});

const t = accessType;

export const SUP_READ = t(0, 'read', false, 'supervisor read');
export const SUP_WRITE = t(0, 'write', false, 'supervisor write');
export const SUP_FETCH = t(0, 'fetch', false, 'supervisor fetch');
export const USER_READ = t(3, 'read', false, 'user read');
export const USER_WRITE = t(3, 'write', false, 'user write');
export const USER_FETCH = t(3, 'fetch', false, 'user fetch');
export const IMPLICIT_READ = t(3, 'read', true, 'implicit supervisor read at CPL 3');
export const IMPLICIT_WRITE = t(3, 'write', true, 'implicit supervisor write at CPL 3');

/** Every access type the paging format can express (implicit fetches do not exist). */
export const ALL_ACCESS_TYPES: readonly AccessType[] = [
  SUP_READ, SUP_WRITE, SUP_FETCH, USER_READ, USER_WRITE, USER_FETCH, IMPLICIT_READ, IMPLICIT_WRITE,
];

/** The scenario options for an access type. */
export function accessOptions(a: AccessType): { cpl: Cpl; kind: AccessKind; implicit: boolean } {
  return { cpl: a.cpl, kind: a.kind, implicit: a.implicit };
}
