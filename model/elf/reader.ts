import { fail, hex } from './errors.ts';

/**
 * Bounds-checked little-endian reads from the file (ELF.IDENT.DATA2LSB). Each read
 * names the field it is for, so running off the end of the file becomes a typed
 * ELF.FILE.TRUNCATED error naming that field and its offset — never a RangeError from
 * the DataView.
 */
export class ByteReader {
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get size(): number {
    return this.bytes.length;
  }

  /** Throws ELF.FILE.TRUNCATED unless [offset, offset+length) lies inside the file. */
  need(field: string, offset: bigint | number, length: bigint | number): number {
    const o = BigInt(offset);
    if (o < 0n || o + BigInt(length) > BigInt(this.size)) {
      fail('ELF.FILE.TRUNCATED', field, Number(o > BigInt(this.size) ? BigInt(this.size) : o),
        `${field} at file offset ${hex(o)} (${length} bytes) runs past the end of the ${this.size}-byte file`);
    }
    return Number(o);
  }

  u8(field: string, offset: number): number {
    return this.view.getUint8(this.need(field, offset, 1));
  }

  u16(field: string, offset: number): number {
    return this.view.getUint16(this.need(field, offset, 2), true);
  }

  u32(field: string, offset: number): number {
    return this.view.getUint32(this.need(field, offset, 4), true);
  }

  u64(field: string, offset: number): bigint {
    return this.view.getBigUint64(this.need(field, offset, 8), true);
  }

  i64(field: string, offset: number): bigint {
    return this.view.getBigInt64(this.need(field, offset, 8), true);
  }
}
