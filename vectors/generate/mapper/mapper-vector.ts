import type { JsonObject, Vector } from '../../../harness/types.ts';
import { toNumber } from '../../../model/paging/u64.ts';
import type { PagingClauseId } from '../../../spec/clauses/paging.ts';
import { mapperInputProblems, type MapperInputJson, type MapperOperationJson, type MapperResultJson } from '../../io/mapper.ts';
import { cpuFromJson, hex } from '../../io/paging.ts';
import { enumerateTranslations, translationToJson } from '../../semantics/mapper-translations.ts';
import { runMapperModel } from '../../semantics/mapper-run.ts';

const SIZE_CLAUSE: Record<MapperOperationJson['size'], PagingClauseId> = { '4K': 'PG.WALK.PAGE_4K', '2M': 'PG.WALK.PDE.PS', '1G': 'PG.WALK.PDPTE.PS' };

/** Error kinds that enforce a paging rule, and that rule. */
const ERROR_CLAUSE: Readonly<Record<string, PagingClauseId>> = {
  NonCanonical: 'PG.CANON.GP',
  HugePagesUnsupported: 'PG.RSVD.PDPTE.PS_NO_1G',
  FrameAboveMaxPhyAddr: 'PG.RSVD.MAXPHYADDR',
  NoExecuteDisabled: 'PG.RSVD.XD_WITHOUT_NXE',
  MalformedEntry: 'PG.RSVD.STOPS_WALK',
  ParentRestrictsRights: 'PG.PERM.US.COMBINE',
};

/** The paging clauses a mapper vector relies on: page sizes, rights combined over levels, keys, and the rules its errors enforce. */
export function mapperClauses(input: MapperInputJson, results: readonly MapperResultJson[]): PagingClauseId[] {
  const out = new Set<PagingClauseId>();
  for (const op of input.operations) {
    out.add(SIZE_CLAUSE[op.size]);
    if (op.op === 'unmap') continue;
    out.add('PG.PERM.RW.COMBINE');
    out.add('PG.PERM.US.COMBINE');
    if (!op.flags.executable) out.add('PG.PERM.XD.COMBINE');
    if ((op.flags.pkey ?? 0) !== 0) out.add('PG.PK.KEY_FIELD');
  }
  for (const r of results) {
    const c = 'error' in r ? ERROR_CLAUSE[r.error] : undefined;
    if (c !== undefined) out.add(c);
  }
  return [...out];
}

/**
 * A mapper vector whose expectation the model computes: the model mapper's result per
 * operation and the translations of its final tables. Throws on an invalid input (a
 * generator bug).
 */
export function makeMapperVector(id: string, title: string, input: MapperInputJson): Vector {
  const problems = mapperInputProblems(input);
  if (problems.length > 0) throw new Error(`${id}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const run = runMapperModel(input);
  const t = enumerateTranslations(run.memory, cpuFromJson(input.cpu), toNumber(hex(input.cr3)), input.nxe);
  // Malformed entries may come with the input (a vector about them); the model never writes one.
  const written = new Set(run.changed.map((q) => toNumber(hex(q.pa))));
  if (t.malformed.some((m) => written.has(m.entryPa)) || t.truncated) throw new Error(`${id}: the model wrote a malformed entry or too many translations`);
  return {
    id, suite: 'mapper', title, clauses: mapperClauses(input, run.results),
    input: input as unknown as JsonObject,
    expect: { results: run.results, translations: t.ranges.map(translationToJson) } as unknown as JsonObject,
  };
}
