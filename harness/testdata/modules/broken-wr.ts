// A deliberately broken implementation for the fuzz test: it forgets the W/R bit of the
// #PF error code (PG.PF.EC.WR) whenever the fault is a not-present fault.
import { pagingModelAnswer } from '../../suites/paging.ts';

export const implementation = { name: 'testdata-broken-wr', version: '1' };

export async function paging(input: Parameters<typeof pagingModelAnswer>[0]) {
  const out = pagingModelAnswer(input);
  if ('unsupported' in out || out.vector !== 14) return out;
  const ec = parseInt(String(out.errorCode).slice(2), 16);
  return (ec & 1) === 0 ? { ...out, errorCode: '0x' + (ec & ~2).toString(16) } : out;
}
