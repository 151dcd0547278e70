import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { childPath, pointerToPath } from './json-path.ts';

/** Where the JSON Schemas live (spec/schemas, one `*.schema.json` per document). */
export const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'spec', 'schemas');

/** A schema violation: the JSON path of the offending value and what is wrong with it. */
export interface SchemaViolation {
  readonly path: string;
  readonly message: string;
}

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

function instance(): Ajv2020 {
  if (ajv !== undefined) return ajv;
  // allErrors stays off: we report the first problem of each line, and it is faster.
  // Formats (date-time in results.schema.json) are annotations only: no format plugin is installed.
  const a = new Ajv2020({ strict: true, allErrors: false, validateFormats: false });
  for (const name of schemaFileNames()) {
    a.addSchema(JSON.parse(readFileSync(join(SCHEMA_DIR, name), 'utf8')) as object, name);
  }
  ajv = a;
  return a;
}

/** The schema documents in spec/schemas, sorted by name. */
export function schemaFileNames(): string[] {
  return readdirSync(SCHEMA_DIR).filter((n) => n.endsWith('.schema.json')).sort();
}

/** True when spec/schemas holds a document with this id (e.g. `elf-input.schema.json`). */
export function hasSchema(id: string): boolean {
  return instance().getSchema(id) !== undefined;
}

/** The compiled validator of a schema (or of a `$defs` entry: `impl.schema.json#/$defs/case`). */
export function validatorFor(ref: string): ValidateFunction {
  let v = compiled.get(ref);
  if (v === undefined) {
    const got = instance().getSchema(ref);
    if (got === undefined) throw new Error(`no schema '${ref}' in ${SCHEMA_DIR}`);
    v = got;
    compiled.set(ref, v);
  }
  return v;
}

/**
 * Validates `value` against a schema; undefined when it conforms, otherwise the first
 * violation with its path below `base` (`$` for a whole line, `$.input` for a part).
 */
export function checkSchema(ref: string, value: unknown, base = '$'): SchemaViolation | undefined {
  const validate = validatorFor(ref);
  if (validate(value)) return undefined;
  const err = validate.errors?.[0];
  if (err === undefined) return { path: base, message: `does not match ${ref}` };
  return describeError(err, base);
}

function describeError(err: ErrorObject, base: string): SchemaViolation {
  const at = pointerToPath(err.instancePath, base);
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case 'required':
      return { path: at, message: `missing required property '${String(p.missingProperty)}'` };
    case 'additionalProperties':
      return { path: childPath(at, String(p.additionalProperty)), message: 'unknown property' };
    case 'enum':
      return { path: at, message: `must be one of ${JSON.stringify(p.allowedValues)}` };
    case 'const':
      return { path: at, message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'pattern':
      return { path: at, message: `must match ${String(p.pattern)}${hexHint(String(p.pattern))}` };
    default:
      return { path: at, message: err.message ?? `fails ${err.keyword}` };
  }
}

function hexHint(pattern: string): string {
  return pattern.includes('0[xX]') ? ' (a hex string such as "0x1000")' : '';
}
