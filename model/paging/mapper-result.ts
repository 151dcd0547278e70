/**
 * Results as data: every fallible operation of the frame allocator and the mapper
 * returns one of these instead of throwing, so a caller must look at the error's
 * `kind` (an exhaustive `switch` or ts-pattern `match`) before using the value.
 */
export type Result<T, E> = Ok<T> | Err<E>;

export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}

export interface Err<E> {
  readonly ok: false;
  readonly error: E;
}

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function err<E>(error: E): Err<E> {
  return { ok: false, error };
}
