import { PF_ID, PF_P, PF_PK, PF_RSVD, PF_US, PF_WR } from '../../model/paging/types.ts';

/** Names the bits of a #PF error code, e.g. "P W/R U/S" or "not present, read, supervisor". */
export function describeErrorCode(ec: number): string {
  const parts = [
    ec & PF_P ? 'P=1 protection' : 'P=0 not present',
    ec & PF_WR ? 'write' : 'read',
    ec & PF_US ? 'user' : 'supervisor',
  ];
  if (ec & PF_RSVD) parts.push('RSVD');
  if (ec & PF_ID) parts.push('I/D fetch');
  if (ec & PF_PK) parts.push('PK');
  return parts.join(', ');
}
