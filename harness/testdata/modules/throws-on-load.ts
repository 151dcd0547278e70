// A module that fails while loading: every case must become `error` with this message.
export function paging(): Record<string, never> {
  return {};
}
throw new Error('module top level failed');
