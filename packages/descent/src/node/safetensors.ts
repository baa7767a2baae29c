import type { StateArray } from '../core/param.js';

/**
 * The safetensors layout (github.com/huggingface/safetensors, "Format"), for the arrays descent
 * keeps: float32 and float64 tensors (F32, F64), and optimizer state in fewer bits (`stateDtype`):
 * bfloat16 bits (BF16, a Uint16Array) and int8 codes (U8, a Uint8Array: unsigned indices into a
 * quantization map, not numbers of their own):
 *
 * - 8 bytes: N, the length of the header, an unsigned little-endian 64-bit integer;
 * - N bytes: the header, UTF-8 JSON beginning with `{` and padded at the end with spaces (0x20);
 *   here to a multiple of 8, so that the data starts 8-byte aligned. It maps each tensor's name
 *   to `{ dtype, shape, data_offsets: [begin, end] }`, offsets relative to the byte after the
 *   header, `end` one past the last byte; the reserved key `__metadata__` maps strings to
 *   strings;
 * - the data: every tensor's elements, little-endian, row-major, one after the other with no gap
 *   and nothing after the last, which is what a reader checks so that no byte goes unaccounted.
 *
 * Tensors are written by element size, largest first (float64, float32, bfloat16, bytes; in the
 * order given otherwise), so that each one is aligned to its element size, as the reference
 * writer arranges by sorting on alignment.
 */

export type SafetensorsDType = 'F32' | 'F64' | 'BF16' | 'U8';

export interface TensorEntry {
  dtype: SafetensorsDType;
  shape: number[];
  data: StateArray;
}

export interface SafetensorsContents {
  tensors: Map<string, TensorEntry>;
  metadata: Record<string, string>;
}

/** The reference implementation's limit, against headers made to exhaust memory. */
export const maxHeaderLength = 100_000_000;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The array each dtype reads into. */
const arrayClasses = {
  F64: Float64Array,
  F32: Float32Array,
  BF16: Uint16Array,
  U8: Uint8Array,
} as const;

const isDType = (value: unknown): value is SafetensorsDType =>
  typeof value === 'string' && Object.hasOwn(arrayClasses, value);

const widthOf = (dtype: SafetensorsDType): number => arrayClasses[dtype].BYTES_PER_ELEMENT;

export function dtypeOfArray(array: StateArray): SafetensorsDType {
  if (array instanceof Float64Array) return 'F64';
  if (array instanceof Uint16Array) return 'BF16';
  if (array instanceof Uint8Array) return 'U8';
  return 'F32';
}

/** A problem with the bytes of a file, said in a few words; the caller names the file. */
export class FormatProblem extends Error {}

/** The serialized file: the length and header, then views of the tensor data, in file order. */
export interface EncodedSafetensors {
  /** The 8-byte length and the padded header. */
  head: Uint8Array;
  chunks: Uint8Array[];
  /** Where in `head` the value of `placeholderKey` starts, when the metadata has it. */
  placeholderOffset: number;
}

/** The little-endian bytes of an array: a view of it on a little-endian machine, else a copy. */
function littleEndianBytes(array: StateArray): Uint8Array {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  if (littleEndian) return bytes;
  const width = array.BYTES_PER_ELEMENT;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += width) {
    for (let k = 0; k < width; k++) out[i + k] = bytes[i + width - 1 - k];
  }
  return out;
}

/**
 * Lays out tensors and metadata as a safetensors file. `placeholderKey`, when given, is a
 * metadata key whose value the caller will overwrite in `head` at `placeholderOffset` with a
 * string of the same length (a checksum of the file as it is with the placeholder).
 */
export function encodeSafetensors(
  tensors: readonly { name: string; data: StateArray; shape?: readonly number[] }[],
  metadata: Record<string, string>,
  placeholderKey?: string,
): EncodedSafetensors {
  const names = new Set<string>();
  for (const { name } of tensors) {
    if (name === '__metadata__' || names.has(name)) {
      throw new RangeError(
        `Invalid tensor name ${JSON.stringify(name)}: ${name === '__metadata__' ? 'reserved' : 'given twice'}`,
      );
    }
    names.add(name);
  }
  // Stable: the widest elements first, each width in the order given.
  const ordered = [...tensors].sort((a, b) => b.data.BYTES_PER_ELEMENT - a.data.BYTES_PER_ELEMENT);
  // Written out by hand so that entries keep this order (an object would put "0" before others).
  const entries: string[] = [`"__metadata__":${JSON.stringify(metadata)}`];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const { name, data, shape = [data.length] } of ordered) {
    const elements = shape.reduce((n, d) => n * d, 1);
    if (elements !== data.length) {
      throw new RangeError(
        `Invalid shape of tensor ${JSON.stringify(name)}: [${shape.join(', ')}] for ${data.length} elements`,
      );
    }
    const end = offset + data.byteLength;
    entries.push(
      `${JSON.stringify(name)}:${JSON.stringify({ dtype: dtypeOfArray(data), shape, data_offsets: [offset, end] })}`,
    );
    chunks.push(littleEndianBytes(data));
    offset = end;
  }
  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  const length = Math.ceil(json.length / 8) * 8;
  if (length > maxHeaderLength) {
    throw new RangeError(`Invalid tensors: their header would take ${length} bytes, above 100 MB`);
  }
  const head = new Uint8Array(8 + length).fill(0x20, 8 + json.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(length), true);
  head.set(json, 8);
  let placeholderOffset = -1;
  if (placeholderKey !== undefined) {
    const key = new TextEncoder().encode(`${JSON.stringify(placeholderKey)}:"`);
    placeholderOffset = Buffer.from(head.buffer, head.byteOffset, head.length).indexOf(key);
    if (placeholderOffset >= 0) placeholderOffset += key.length;
  }
  return { head, chunks, placeholderOffset };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isIndex = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * Reads a whole safetensors file, checking everything the format promises before any tensor is
 * made: the header's length against the file, its JSON, each entry's dtype, shape and offsets,
 * and that the tensors cover the data exactly, in order and with no gap, overlap or trailing
 * bytes. Throws a `FormatProblem` saying what is wrong. Only F32, F64, BF16 and U8 tensors are
 * read.
 */
export function decodeSafetensors(
  bytes: Uint8Array,
): SafetensorsContents & { headerLength: number } {
  if (bytes.length < 8) {
    throw new FormatProblem(
      `truncated or not a safetensors file: ${bytes.length} bytes, fewer than the 8 of the header length`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(bytes.length - 8)) {
    throw new FormatProblem(
      `truncated or not a safetensors file: the header length is ${declared} bytes, and only ${bytes.length - 8} follow`,
    );
  }
  const headerLength = Number(declared);
  if (headerLength > maxHeaderLength) {
    throw new FormatProblem(
      `not a safetensors file: a header of ${headerLength} bytes, above 100 MB`,
    );
  }
  const headerBytes = bytes.subarray(8, 8 + headerLength);
  if (headerBytes[0] !== 0x7b) {
    throw new FormatProblem('not a safetensors file: the header does not begin with "{"');
  }
  let header: unknown;
  try {
    let end = headerBytes.length;
    while (end > 0 && headerBytes[end - 1] === 0x20) end--;
    header = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(headerBytes.subarray(0, end)),
    );
  } catch (error) {
    throw new FormatProblem(
      `not a safetensors file: its header is not UTF-8 JSON (${(error as Error).message})`,
    );
  }
  if (!isRecord(header))
    throw new FormatProblem('not a safetensors file: its header is not an object');
  const metadata: Record<string, string> = Object.create(null);
  const rawMetadata = header.__metadata__;
  if (rawMetadata !== undefined) {
    if (!isRecord(rawMetadata)) {
      throw new FormatProblem('not a safetensors file: __metadata__ is not an object');
    }
    for (const [key, value] of Object.entries(rawMetadata)) {
      if (typeof value !== 'string') {
        throw new FormatProblem(
          `not a safetensors file: __metadata__ entry ${JSON.stringify(key)} is not a string`,
        );
      }
      metadata[key] = value;
    }
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const spans: {
    name: string;
    dtype: SafetensorsDType;
    shape: number[];
    begin: number;
    end: number;
  }[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const where = `tensor ${JSON.stringify(name)}`;
    if (!isRecord(entry))
      throw new FormatProblem(`not a safetensors file: ${where} is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (!isDType(dtype)) {
      throw new FormatProblem(
        `${where} has dtype ${JSON.stringify(dtype)} (descent reads F32, F64, BF16 and U8)`,
      );
    }
    if (!Array.isArray(shape) || !shape.every(isIndex)) {
      throw new FormatProblem(`not a safetensors file: ${where} has an invalid shape`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
      throw new FormatProblem(`not a safetensors file: ${where} has invalid data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    const elements = (shape as number[]).reduce((n, d) => n * d, 1);
    if (end < begin || end - begin !== elements * widthOf(dtype)) {
      throw new FormatProblem(
        `not a safetensors file: ${where} spans bytes ${begin}–${end}, and its shape [${shape.join(', ')}] of ${dtype} takes ${elements * widthOf(dtype)}`,
      );
    }
    spans.push({ name, dtype, shape: shape as number[], begin, end });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const span of spans) {
    if (span.begin !== covered) {
      throw new FormatProblem(
        `not a safetensors file: tensor ${JSON.stringify(span.name)} begins at byte ${span.begin} of the data, where ${covered} was expected (${span.begin > covered ? 'a gap' : 'an overlap'})`,
      );
    }
    covered = span.end;
  }
  if (covered > dataLength) {
    throw new FormatProblem(
      `truncated: its tensors take ${covered} bytes after the header, and the file has ${dataLength}`,
    );
  }
  if (covered < dataLength) {
    throw new FormatProblem(
      `not a safetensors file: ${dataLength - covered} bytes follow the last tensor`,
    );
  }
  const tensors = new Map<string, TensorEntry>();
  for (const { name, dtype, shape, begin, end } of spans) {
    const width = widthOf(dtype);
    const data = new arrayClasses[dtype]((end - begin) / width);
    const target = new Uint8Array(data.buffer);
    target.set(bytes.subarray(dataStart + begin, dataStart + end));
    if (!littleEndian) {
      for (let i = 0; i < target.length; i += width) target.subarray(i, i + width).reverse();
    }
    tensors.set(name, { dtype, shape, data });
  }
  return { tensors, metadata, headerLength };
}
