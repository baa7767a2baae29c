import {
  isStateArray,
  isStateArrayDType,
  type StateArray,
  type StateArrayDType,
  stateArrayClasses,
  stateArrayDType,
} from './param.js';

/**
 * Plain-JSON encoding of optimizer and scheduler state that restores every bit.
 *
 * JSON loses -0, NaN and the infinities, and a decimal round trip is only as exact as the printer,
 * so typed arrays travel as base64 of their bytes and non-finite or negative-zero numbers as
 * `{ float: '...' }`. Decoding builds prototype-less objects and refuses keys that could reach a
 * prototype, so a hostile state dict cannot pollute anything.
 */

/** A JSON value, as `JSON.stringify` writes it and `JSON.parse` reads it back. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface EncodedArray {
  dtype: StateArrayDType;
  base64: string;
}

const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

export function assertSafeKey(key: string, where: string): void {
  if (forbiddenKeys.has(key)) {
    throw new TypeError(`Invalid key in ${where}: ${JSON.stringify(key)}`);
  }
}

function encodeArray(array: StateArray): EncodedArray {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  return { dtype: stateArrayDType(array), base64: toBase64(bytes) };
}

function decodeArray(value: unknown, where: string): StateArray {
  if (!isRecord(value) || typeof value.base64 !== 'string') {
    throw new TypeError(`Invalid array in ${where}: expected { dtype, base64 }`);
  }
  const dtype = value.dtype;
  if (!isStateArrayDType(dtype)) {
    throw new TypeError(`Invalid dtype in ${where}: ${JSON.stringify(dtype)}`);
  }
  const Class = stateArrayClasses[dtype];
  const bytes = fromBase64(value.base64, where);
  const width = Class.BYTES_PER_ELEMENT;
  if (bytes.length % width !== 0) {
    throw new RangeError(
      `Invalid array in ${where}: ${bytes.length} bytes is not a whole number of ${dtype}`,
    );
  }
  const array = new Class(bytes.length / width);
  new Uint8Array(array.buffer).set(bytes);
  return array;
}

/** Encodes numbers, typed arrays, plain arrays and plain objects; functions are left out. */
export function encode(value: unknown): Json | undefined {
  if (typeof value === 'number') {
    if (Object.is(value, -0)) return { float: '-0' };
    return Number.isFinite(value) ? value : { float: String(value) };
  }
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  if (isStateArray(value)) return encodeArray(value) as unknown as Json;
  if (Array.isArray(value)) return value.map((item) => encode(item) ?? null);
  if (typeof value === 'object' && value !== undefined) {
    const out: { [key: string]: Json } = {};
    for (const [key, item] of Object.entries(value)) {
      const encoded = encode(item);
      if (encoded !== undefined) out[key] = encoded;
    }
    return out;
  }
  return undefined;
}

/** Inverse of `encode`: builds prototype-less objects and refuses prototype-reaching keys. */
export function decode(value: unknown, where: string): unknown {
  if (Array.isArray(value)) return value.map((item, i) => decode(item, `${where}[${i}]`));
  if (isRecord(value)) {
    if ('base64' in value && 'dtype' in value) return decodeArray(value, where);
    if (Object.keys(value).length === 1 && typeof value.float === 'string') {
      return decodeSpecialNumber(value.float, where);
    }
    const out: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(value)) {
      assertSafeKey(key, where);
      out[key] = decode(value[key], `${where}.${key}`);
    }
    return out;
  }
  return value;
}

function decodeSpecialNumber(text: string, where: string): number {
  switch (text) {
    case 'NaN':
      return Number.NaN;
    case 'Infinity':
      return Number.POSITIVE_INFINITY;
    case '-Infinity':
      return Number.NEGATIVE_INFINITY;
    case '-0':
      return -0;
    default:
      throw new TypeError(`Invalid number in ${where}: ${JSON.stringify(text)}`);
  }
}

/**
 * What a number kept in a state must be. Loading checks every stored number against its kind, so
 * that a state which loads cannot poison the next step: a step count of -1 or NaN, a NaN step
 * length, an infinite decay factor.
 */
export interface NumberKind {
  /** What the number must be, as messages say it: "a count (an integer >= 0)". */
  readonly expected: string;
  /** Whether a number is of this kind. */
  readonly accepts: (x: number) => boolean;
}

const numberKind = (expected: string, accepts: (x: number) => boolean): NumberKind =>
  Object.freeze({ expected, accepts });

/** The kinds of number optimizer and scheduler states hold. */
export const numberKinds = Object.freeze({
  /** Steps, evaluations, epochs: an integer from 0 that a double counts exactly. */
  count: numberKind('a count (an integer >= 0)', (x) => Number.isSafeInteger(x) && x >= 0),
  /** A scheduler's lastEpoch: -1 for one that SequentialLR has not started yet. */
  epoch: numberKind('an integer >= -1', (x) => Number.isSafeInteger(x) && x >= -1),
  /** An integer from 1 that a double counts exactly. */
  positiveInteger: numberKind('an integer >= 1', (x) => Number.isSafeInteger(x) && x >= 1),
  /**
   * A length, such as a restart period: an integer from 1, which may pass 2^53 (a period grown
   * by restarts), since it is only compared with counts below it.
   */
  length: numberKind('a length (an integer >= 1)', (x) => Number.isInteger(x) && x >= 1),
  /** Any finite number (a rate last reported, which may be below 0). */
  finite: numberKind('a finite number', (x) => Number.isFinite(x)),
  /** Rates and factors: finite and >= 0. */
  nonNegative: numberKind('a finite number >= 0', (x) => Number.isFinite(x) && x >= 0),
  /** Scales and periods: finite and > 0. */
  positive: numberKind('a finite number > 0', (x) => Number.isFinite(x) && x > 0),
  /** A fraction or a product of factors below 1. */
  unit: numberKind('a number in [0, 1]', (x) => x >= 0 && x <= 1),
  /** A metric: infinities stand for "none yet", NaN for nothing. */
  notNaN: numberKind('a number other than NaN', (x) => !Number.isNaN(x)),
  /** Anything a computation gave, NaN included (a loss that is only recorded). */
  any: numberKind('a number', () => true),
});

/**
 * A stored value, for messages: strings quoted (unless `quote` is false), arrays of numbers
 * listed when short, objects by kind. Never throws, even for the prototype-less objects `decode`
 * builds (which `String` cannot convert).
 */
export function describeStored(value: unknown, quote = true): string {
  if (typeof value === 'string') return quote ? JSON.stringify(value) : value;
  if (isStateArray(value)) return `a ${stateArrayDType(value)} array of length ${value.length}`;
  if (Array.isArray(value)) {
    return value.length <= 4 && value.every((x) => typeof x === 'number')
      ? `[${value.join(', ')}]`
      : `a list of ${value.length}`;
  }
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

/**
 * Numbers, strings, booleans, null and lists of them: what options are made of. Messages about an
 * option print its value, which an object from `decode` (prototype-less) cannot be printed as.
 */
export function isPlainData(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isPlainData);
  return value === null || typeof value !== 'object';
}

/** "not a number", or with `nullable` "neither a number nor null": what a value of the wrong type is not. */
export function typeProblem(noun: string, nullable = false): string {
  return nullable ? `neither ${noun} nor null` : `not ${noun}`;
}

/**
 * Checks a number read from a state dict: a TypeError when it is no number (nor null, when
 * `nullable`), a RangeError when it is not of its kind, each naming `where` and the value.
 */
export function checkStoredNumber(
  value: unknown,
  kind: NumberKind,
  where: string,
  nullable = false,
): number | null {
  if (value === null && nullable) return null;
  if (typeof value !== 'number') {
    throw new TypeError(
      `Invalid state dict: ${where} is ${typeProblem('a number', nullable)}: ${describeStored(value)}`,
    );
  }
  if (!kind.accepts(value)) {
    throw new RangeError(`Invalid state dict: ${where} is not ${kind.expected}: ${value}`);
  }
  return value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// btoa/atob rather than Buffer, so the core runs in browsers as well as in Node.
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const base64Codes = Uint8Array.from(BASE64, (c) => c.charCodeAt(0));
/** Every engine descent targets has it; a bare sandbox may not. */
const ascii = typeof TextDecoder === 'function' ? new TextDecoder() : null;

/**
 * Base64 of the bytes, by table: several times faster than `btoa` of a binary string, which
 * spent about a second per 8 MB building that string (a checkpoint of a large model).
 */
function toBase64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let j = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[j++] = base64Codes[n >>> 18];
    out[j++] = base64Codes[(n >>> 12) & 63];
    out[j++] = base64Codes[(n >>> 6) & 63];
    out[j++] = base64Codes[n & 63];
  }
  const left = bytes.length - i;
  if (left > 0) {
    const n = (bytes[i] << 16) | (left === 2 ? bytes[i + 1] << 8 : 0);
    out[j++] = base64Codes[n >>> 18];
    out[j++] = base64Codes[(n >>> 12) & 63];
    out[j++] = left === 2 ? base64Codes[(n >>> 6) & 63] : 61; // '='
    out[j++] = 61;
  }
  if (ascii !== null) return ascii.decode(out);
  let text = '';
  for (let k = 0; k < out.length; k += 0x8000) {
    // apply takes the typed array as it is; a spread would go through its iterator, slowly.
    text += String.fromCharCode.apply(null, out.subarray(k, k + 0x8000) as unknown as number[]);
  }
  return text;
}

function fromBase64(text: string, where: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new TypeError(`Invalid base64 in ${where}`);
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
