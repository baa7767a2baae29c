import { type DType, type FloatArray, isFloatArray, zeros } from './param.js';

/**
 * Plain-JSON encoding of optimizer and scheduler state that restores every bit.
 *
 * JSON loses -0, NaN and the infinities, and a decimal round trip is only as exact as the printer,
 * so typed arrays travel as base64 of their bytes and non-finite or negative-zero numbers as
 * `{ float: '...' }`. Decoding builds prototype-less objects and refuses keys that could reach a
 * prototype, so a hostile state dict cannot pollute anything.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface EncodedArray {
  dtype: DType;
  base64: string;
}

const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

export function assertSafeKey(key: string, where: string): void {
  if (forbiddenKeys.has(key)) {
    throw new TypeError(`Invalid key in ${where}: ${JSON.stringify(key)}`);
  }
}

function encodeArray(array: FloatArray): EncodedArray {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  return { dtype: array instanceof Float64Array ? 'float64' : 'float32', base64: toBase64(bytes) };
}

function decodeArray(value: unknown, where: string): FloatArray {
  if (!isRecord(value) || typeof value.base64 !== 'string') {
    throw new TypeError(`Invalid array in ${where}: expected { dtype, base64 }`);
  }
  const dtype = value.dtype;
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new TypeError(`Invalid dtype in ${where}: ${JSON.stringify(dtype)}`);
  }
  const bytes = fromBase64(value.base64, where);
  const width = dtype === 'float64' ? 8 : 4;
  if (bytes.length % width !== 0) {
    throw new RangeError(
      `Invalid array in ${where}: ${bytes.length} bytes is not a whole number of ${dtype}`,
    );
  }
  const array = zeros(dtype, bytes.length / width);
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
  if (isFloatArray(value)) return encodeArray(value) as unknown as Json;
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

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// btoa/atob rather than Buffer, so the core runs in browsers as well as in Node.
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
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
