/** JSON paths in the `$.a.b[3]["odd key"]` form that every x64spec error message uses. */
import type { JsonValue } from '../../harness/types.ts';

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Appends one property name or array index to a path. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return IDENT.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/** Converts a JSON Pointer (RFC 6901, as Ajv reports `instancePath`) below `base` to a path. */
export function pointerToPath(pointer: string, base = '$'): string {
  if (pointer === '') return base;
  let path = base;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = childPath(path, /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : token);
  }
  return path;
}

/** Joins a dotted field path such as `regs.cr3` (model/paging/state.ts problems) below `base`. */
export function dottedToPath(dotted: string, base: string): string {
  return dotted.split('.').reduce<string>((p, k) => childPath(p, /^\d+$/.test(k) ? Number(k) : k), base);
}

/** The value at a `$.a.b[2]` path of `root` (null when absent), for diff reports. */
export function valueAt(root: JsonValue, path: string): JsonValue {
  let v: JsonValue | undefined = root;
  for (const m of path.slice(1).matchAll(/\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g)) {
    if (v === null || typeof v !== 'object') return null;
    const key: string | number = m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(m[3]!) as string));
    v = Array.isArray(v) ? (typeof key === 'number' ? v[key] : undefined) : (v as Record<string, JsonValue>)[String(key)];
  }
  return v ?? null;
}
