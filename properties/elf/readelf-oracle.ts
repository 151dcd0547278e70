/**
 * readelf as an independent oracle for the ELF parser: finds every ELF64 little-endian
 * EXEC/DYN file under some roots, runs `readelf -hlW` over them in batches (a few
 * processes in parallel) and parses its text. Mind readelf's formats: -h prints sizes in
 * decimal, program-header flags are three columns ("R E"), alignment 0 prints as `0`,
 * and the Type line carries a description after the first token.
 */
import { execFile } from 'node:child_process';
import { closeSync, openSync, readSync, readdirSync, fstatSync } from 'node:fs';
import { join } from 'node:path';

export interface ReadelfPhdr {
  readonly type: string;
  readonly offset: bigint;
  readonly vaddr: bigint;
  readonly paddr: bigint;
  readonly filesz: bigint;
  readonly memsz: bigint;
  /** The three flag columns with spaces removed, e.g. `RE`. */
  readonly flags: string;
  readonly align: bigint;
}

export interface ReadelfView {
  readonly type: string;
  readonly entry: bigint;
  /** From -h, printed in decimal: e_phoff, e_shoff, e_ehsize, e_phentsize, e_phnum (as printed), e_flags. */
  readonly header: Readonly<Record<'phoff' | 'shoff' | 'ehsize' | 'phentsize' | 'phnum' | 'flags', bigint>>;
  readonly phdrs: readonly ReadelfPhdr[];
}

/** Every regular (non-symlink) ELF64 LSB file of type EXEC or DYN under `roots`, with the leading bytes the parser needs. */
export function findElfFiles(roots: readonly string[]): { path: string; prefix: Uint8Array }[] {
  const out: { path: string; prefix: Uint8Array }[] = [];
  const head = new Uint8Array(64);
  const visit = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable directory: not ours to judge
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.isFile()) {
        const prefix = readPrefix(p, head);
        if (prefix !== undefined) out.push({ path: p, prefix });
      }
    }
  };
  for (const r of roots) visit(r);
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

function readPrefix(path: string, head: Uint8Array): Uint8Array | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const n = readSync(fd, head, 0, 64, 0);
    if (n < 64 || head[0] !== 0x7f || head[1] !== 0x45 || head[2] !== 0x4c || head[3] !== 0x46) return undefined;
    if (head[4] !== 2 || head[5] !== 1) return undefined;
    const view = new DataView(head.buffer);
    const type = view.getUint16(16, true);
    if (type !== 2 && type !== 3) return undefined;
    const size = fstatSync(fd).size;
    const phoff = Number(view.getBigUint64(32, true));
    const phnum = view.getUint16(56, true);
    // The header and the program-header table (and, for PN_XNUM, the first section header) are all the parser reads.
    const shoff = Number(view.getBigUint64(40, true));
    const want = Math.min(size, Math.max(4096, phoff + phnum * 56, phnum === 0xffff ? shoff + 64 : 0));
    const buf = new Uint8Array(want);
    readSync(fd, buf, 0, want, 0);
    return buf;
  } finally {
    closeSync(fd);
  }
}

const PH_LINE = /^\s+(\S+)\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) (.{3}) (0x[0-9a-f]+|0)$/;

/** Parses the text of `readelf -hlW` for one file. */
export function parseReadelf(text: string): ReadelfView {
  const type = /^\s+Type:\s+(\S+)/m.exec(text)?.[1] ?? '?';
  const entry = BigInt(/^\s+Entry point address:\s+(0x[0-9a-f]+)/m.exec(text)?.[1] ?? '-1');
  const num = (label: string): bigint => BigInt(new RegExp(`^\\s+${label}:\\s+(0x[0-9a-f]+|\\d+)`, 'm').exec(text)?.[1] ?? '-1');
  const header = {
    phoff: num('Start of program headers'), shoff: num('Start of section headers'), ehsize: num('Size of this header'),
    phentsize: num('Size of program headers'), phnum: num('Number of program headers'), flags: num('Flags'),
  };
  const phdrs: ReadelfPhdr[] = [];
  for (const line of text.split('\n')) {
    const m = PH_LINE.exec(line);
    if (m === null) continue;
    phdrs.push({
      type: m[1]!, offset: BigInt('0x' + m[2]), vaddr: BigInt('0x' + m[3]), paddr: BigInt('0x' + m[4]),
      filesz: BigInt('0x' + m[5]), memsz: BigInt('0x' + m[6]), flags: m[7]!.replace(/ /g, ''), align: BigInt(m[8]!),
    });
  }
  return { type, entry, header, phdrs };
}

function runReadelf(paths: readonly string[]): Promise<Map<string, ReadelfView>> {
  return new Promise((resolve, reject) => {
    execFile('readelf', ['-hlW', ...paths], { maxBuffer: 256 * 1024 * 1024 }, (err, stdout) => {
      if (err !== null && stdout === '') {
        reject(new Error(`readelf failed (${err.message}); install it with: apt-get install -y binutils`));
        return;
      }
      const views = new Map<string, ReadelfView>();
      const parts = stdout.split(/^File: (.*)$/m);
      // With one path readelf prints no "File:" line.
      if (paths.length === 1) views.set(paths[0]!, parseReadelf(stdout));
      else for (let i = 1; i + 1 < parts.length; i += 2) views.set(parts[i]!, parseReadelf(parts[i + 1]!));
      resolve(views);
    });
  });
}

/** readelf's view of every path, batched `batch` files per process with `parallel` processes at a time. */
export async function readelfAll(paths: readonly string[], batch = 150, parallel = 4): Promise<Map<string, ReadelfView>> {
  const chunks: string[][] = [];
  for (let i = 0; i < paths.length; i += batch) chunks.push(paths.slice(i, i + batch));
  const all = new Map<string, ReadelfView>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      for (const [k, v] of await runReadelf(chunk)) all.set(k, v);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return all;
}

/** What `readelf -rW` lists for the dynamic relocations a boot loader applies (every section but .rela.plt). */
export interface ReadelfRelocs {
  /** RELA entries in section order: r_offset, r_info, and r_addend when the entry has no symbol. */
  readonly rela: readonly { readonly offset: bigint; readonly info: bigint; readonly addend?: bigint }[];
  /** RELR-relocated addresses, expanded, in order. */
  readonly relr: readonly bigint[];
}

const SECTION = /^Relocation section '([^']+)' at offset 0x[0-9a-f]+ contains \d+ entr(?:y|ies):$/;
const RELA_LINE = /^([0-9a-f]{16})\s+([0-9a-f]{16})\s+\S+(.*)$/;
const RELR_LINE = /^([0-9a-f]{16})$/;

/** Parses `readelf -rW` output for one file. */
export function parseReadelfRelocs(text: string): ReadelfRelocs {
  const rela: { offset: bigint; info: bigint; addend?: bigint }[] = [];
  const relr: bigint[] = [];
  let section = '';
  for (const line of text.split('\n')) {
    const s = SECTION.exec(line);
    if (s !== null) {
      section = s[1]!;
      continue;
    }
    if (section === '.rela.plt' || section === '') continue;
    const r = RELR_LINE.exec(line);
    if (r !== null && section.startsWith('.relr')) {
      relr.push(BigInt('0x' + r[1]));
      continue;
    }
    const m = RELA_LINE.exec(line);
    if (m === null) continue;
    const info = BigInt('0x' + m[2]);
    const entry: { offset: bigint; info: bigint; addend?: bigint } = { offset: BigInt('0x' + m[1]), info };
    // Without a symbol readelf prints the addend alone, in hex, with a '-' when negative.
    if (info >> 32n === 0n) {
      const text = m[3]!.trim() || '0';
      entry.addend = BigInt.asUintN(64, text.startsWith('-') ? -BigInt('0x' + text.slice(1)) : BigInt('0x' + text));
    }
    rela.push(entry);
  }
  return { rela, relr };
}

/** `readelf -rW` for every path, batched like `readelfAll`. */
export async function readelfRelocsAll(paths: readonly string[], batch = 100, parallel = 4): Promise<Map<string, ReadelfRelocs>> {
  const chunks: string[][] = [];
  for (let i = 0; i < paths.length; i += batch) chunks.push(paths.slice(i, i + batch));
  const all = new Map<string, ReadelfRelocs>();
  let next = 0;
  const run = (chunk: readonly string[]): Promise<string> => new Promise((resolve, reject) => {
    execFile('readelf', ['-rW', ...chunk], { maxBuffer: 1024 * 1024 * 1024 }, (err, stdout) => {
      if (err !== null && stdout === '') reject(new Error(`readelf failed (${err.message}); install it with: apt-get install -y binutils`));
      else resolve(stdout);
    });
  });
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      const out = await run(chunk);
      if (chunk.length === 1) all.set(chunk[0]!, parseReadelfRelocs(out));
      else {
        const parts = out.split(/^File: (.*)$/m);
        for (let i = 1; i + 1 < parts.length; i += 2) all.set(parts[i]!, parseReadelfRelocs(parts[i + 1]!));
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return all;
}
