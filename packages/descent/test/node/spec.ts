import { createHash } from 'node:crypto';

/**
 * A reader and a writer of safetensors written from the format's description alone
 * (github.com/huggingface/safetensors, "Format"), sharing nothing with src/node/, so that the
 * tests check descent's files against the format rather than against themselves. Values are
 * read with DataView's little-endian getters, not by reinterpreting typed arrays.
 */

export interface SpecTensor {
  dtype: string;
  shape: number[];
  /** The elements' bits as the file has them (little-endian), one bigint or number per element. */
  bits: bigint[];
  values: number[];
  /** Absolute offset of the first byte in the file. */
  at: number;
}

export interface SpecFile {
  headerLength: number;
  /** The header's JSON text, padding included. */
  headerText: string;
  metadata: Record<string, string>;
  tensors: Map<string, SpecTensor>;
}

/** Reads a file the way the format describes it, failing an assertion on any departure. */
export function readSpec(bytes: Uint8Array): SpecFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) throw new Error('shorter than 8 bytes');
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) throw new Error('header longer than the file');
  const headerText = Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8');
  if (!headerText.startsWith('{')) throw new Error('header does not begin with {');
  const json = headerText.replace(/ +$/, '');
  const header = JSON.parse(json) as Record<string, unknown>;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  for (const value of Object.values(metadata)) {
    if (typeof value !== 'string') throw new Error('metadata value is not a string');
  }
  const entries = Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, info]) => ({
      name,
      ...(info as { dtype: string; shape: number[]; data_offsets: [number, number] }),
    }))
    .sort((a, b) => a.data_offsets[0] - b.data_offsets[0]);
  const start = 8 + n;
  let expected = 0;
  const tensors = new Map<string, SpecTensor>();
  for (const {
    name,
    dtype,
    shape,
    data_offsets: [begin, end],
  } of entries) {
    if (begin !== expected) throw new Error(`${name} begins at ${begin}, expected ${expected}`);
    const width = ({ F32: 4, F64: 8, BF16: 2, U8: 1 } as Record<string, number>)[dtype];
    if (width === undefined) throw new Error(`${name}: dtype ${dtype}`);
    const count = shape.reduce((a, d) => a * d, 1);
    if (end - begin !== count * width)
      throw new Error(`${name}: ${end - begin} bytes for ${count}`);
    const bits: bigint[] = [];
    const values: number[] = [];
    for (let i = 0; i < count; i++) {
      const at = start + begin + i * width;
      if (width === 8) {
        bits.push(view.getBigUint64(at, true));
        values.push(view.getFloat64(at, true));
      } else if (width === 2) {
        // bfloat16: the upper half of a float32.
        const half = view.getUint16(at, true);
        const word = new DataView(new ArrayBuffer(4));
        word.setUint32(0, half << 16);
        bits.push(BigInt(half));
        values.push(word.getFloat32(0));
      } else if (width === 1) {
        bits.push(BigInt(view.getUint8(at)));
        values.push(view.getUint8(at));
      } else {
        bits.push(BigInt(view.getUint32(at, true)));
        values.push(view.getFloat32(at, true));
      }
    }
    tensors.set(name, { dtype, shape, bits, values, at: start + begin });
    expected = end;
  }
  if (start + expected !== bytes.length) {
    throw new Error(`the tensors end at ${start + expected}, the file at ${bytes.length}`);
  }
  return { headerLength: n, headerText, metadata, tensors };
}

/** The bits of a typed array's elements, as `readSpec` gives them. */
export function bitsOf(array: Float32Array | Float64Array | Uint16Array | Uint8Array): bigint[] {
  if (array instanceof Uint16Array || array instanceof Uint8Array) return Array.from(array, BigInt);
  const view = new DataView(array.buffer, array.byteOffset, array.byteLength);
  return Array.from({ length: array.length }, (_, i) =>
    array instanceof Float64Array
      ? view.getBigUint64(i * 8, true)
      : BigInt(view.getUint32(i * 4, true)),
  );
}

/**
 * descent's checksum as its documentation states it: the SHA-256 of the whole file with the 64
 * hex digits of `descent.sha256` set to "0".
 */
export function specChecksum(bytes: Uint8Array): string {
  const copy = Buffer.from(bytes);
  const n = Number(copy.readBigUInt64LE(0));
  const header = copy.subarray(0, 8 + n).toString('latin1');
  const match = /"descent\.sha256":"([0-9a-f]{64})"/.exec(header);
  if (match === null) throw new Error('no checksum');
  copy.fill('0', match.index + match[0].length - 65, match.index + match[0].length - 1);
  return createHash('sha256').update(copy).digest('hex');
}

export interface ForgedTensor {
  name: string;
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
  /** Overrides the offsets written (to forge gaps and overlaps). */
  offsets?: [number, number];
}

/**
 * Writes a file from its parts, laid out as the format says, optionally with a valid descent
 * checksum (so that the checks behind it can be reached): for forging files descent must refuse.
 */
export function writeSpec(
  tensors: readonly ForgedTensor[],
  metadata: Record<string, string> | undefined,
  options: { checksum?: boolean; trailing?: Uint8Array } = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  const meta = metadata === undefined ? undefined : { ...metadata };
  if (meta !== undefined && options.checksum) meta['descent.sha256'] = '0'.repeat(64);
  if (meta !== undefined) header.__metadata__ = meta;
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = {
      dtype: t.dtype,
      shape: t.shape,
      data_offsets: t.offsets ?? [offset, offset + t.bytes.length],
    };
    offset += t.bytes.length;
  }
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - (Buffer.byteLength(text) % 8)) % 8);
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(text)));
  const file = Buffer.concat([
    head,
    Buffer.from(text),
    ...tensors.map((t) => t.bytes),
    options.trailing ?? new Uint8Array(0),
  ]);
  if (options.checksum) {
    const digest = specChecksum(file);
    const at = file.indexOf('"descent.sha256":"') + '"descent.sha256":"'.length;
    file.write(digest, at, 'latin1');
  }
  return file;
}
