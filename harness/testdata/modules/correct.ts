// A correct in-process implementation for the harness tests: the model itself,
// exported in the module shape (docs/harness.md).
import { pagingModelAnswer } from '../../suites/paging.ts';

export const implementation = { name: 'testdata-correct', version: '1' };

export function paging(input: Parameters<typeof pagingModelAnswer>[0]) {
  return pagingModelAnswer(input);
}
