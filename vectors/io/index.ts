/**
 * Reading and writing vector files (JSON Lines). The harness and the CLI read vectors
 * only through `readVectorFiles` / `parseVectorText`, which validate every line against
 * spec/schemas and report problems with file, line and JSON path.
 */
export { readVectorFiles, parseVectorText, parseVectorLine, listVectorFiles, type ReadResult, type ReadOptions } from './read.ts';
export { formatProblem, type VectorProblem, type VectorProblemCode } from './problems.ts';
export { formatVectorLine, formatVectorFile } from './write.ts';
export { checkSchema, schemaFileNames, SCHEMA_DIR, type SchemaViolation } from './schemas.ts';
export { FORBIDDEN_KEYS, parseJsonObjectLine } from './safe-json.ts';
export {
  pagingInputToModel, pagingInputFromModel, expectFromJson, asPagingInput, cpuFromJson, cpuToJson,
  type PagingInputJson, type PagingExpectJson,
} from './paging.ts';
