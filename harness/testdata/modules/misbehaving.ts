// An in-process implementation that misbehaves on chosen ids (the vector's id says how):
// ids containing `hang-sync` spin forever, `hang-async` never resolve, `throw` throws,
// `exit` ends its worker thread, `bigint` returns a non-JSON value; all others are answered by the model.
import { pagingModelAnswer } from '../../suites/paging.ts';

export function paging(input: Parameters<typeof pagingModelAnswer>[0]): unknown {
  const tag = (input as { tag?: unknown }).tag;
  switch (tag) {
    case 'hang-sync':
      for (;;) { /* spin */ }
    case 'hang-async':
      return new Promise(() => undefined);
    case 'throw':
      throw new Error('deliberate failure');
    case 'exit':
      process.exit(3);
    case 'bigint':
      return { outcome: 'ok', pa: 1n };
    default:
      return pagingModelAnswer(input);
  }
}
