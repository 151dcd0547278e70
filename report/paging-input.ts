/**
 * Reads a paging vector's `input` into the model's types so the report can replay the
 * model's walk for the case view. Inputs reaching the report come from results files
 * and may be malformed (that can be why a case errored), so this checks the input
 * against its schema first and returns the problem instead of throwing.
 */
import type { JsonObject } from '../harness/types.ts';
import type { Access, PagingState } from '../model/paging/types.ts';
import type { U64 } from '../model/paging/u64.ts';
import { asPagingInput, hex, hexPa, pagingInputToModel } from '../vectors/io/paging.ts';
import { checkSchema } from '../vectors/io/schemas.ts';

export interface PagingInput {
  readonly state: PagingState;
  readonly access: Access;
  /** The input's qwords in input order, as given. */
  readonly memory: readonly { readonly pa: number; readonly value: U64 }[];
}

export type ParsedPaging = { readonly ok: true; readonly value: PagingInput } | { readonly ok: false; readonly problem: string };

export function parsePagingInput(input: JsonObject): ParsedPaging {
  const bad = checkSchema('paging-input.schema.json', input, '$.input');
  if (bad !== undefined) return { ok: false, problem: `${bad.path}: ${bad.message}` };
  const json = asPagingInput(input);
  try {
    const { state, access } = pagingInputToModel(json);
    return { ok: true, value: { state, access, memory: json.memory.map((q) => ({ pa: hexPa(q.pa), value: hex(q.value) })) } };
  } catch (err) {
    return { ok: false, problem: (err as Error).message };
  }
}
