import { BLOCK, zeroCode } from '../blockwise.js';
import { quantize2D, signedMap, unsignedMap } from '../dynamic-map.js';
import { reserve } from './arena.js';
import { wasm } from './instance.js';

/**
 * The WebAssembly side of int8 state (assembly/int8.ts): the tables its encoder reads, built
 * here from the dynamic maps and checked against `quantize2D`, and each thread's scratch.
 */

const constant = (name: string): number => wasm?.constant(name) ?? 0;
const VALUES = constant('INT8_VALUES');
const THRESHOLDS = constant('INT8_THRESHOLDS');
const ZERO = constant('INT8_ZERO');
const BUCKET_TABLE = constant('INT8_BUCKET_TABLE');
const BUCKETS = constant('INT8_BUCKETS');
const MAP_BYTES = constant('INT8_MAP_BYTES');
/** The bytes of a thread's scratch. */
export const INT8_SCRATCH_BYTES = constant('INT8_SCRATCH_BYTES');

if (wasm !== null && constant('INT8_BLOCK') !== BLOCK) {
  throw new Error('descent: the WebAssembly module and blockwise.ts disagree on the int8 block');
}

/** The bfloat16 magnitude of bucket 0 (2⁻²³): assembly/int8.ts's BUCKET_LOW. */
const BUCKET_LOW = 0x3400;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

const fromBits = (bits: number): number => {
  u32[0] = bits >>> 0;
  return f32[0];
};

const bitsOf = (x: number): number => {
  f32[0] = x;
  return u32[0];
};

/** The float32 just below a finite x (toward −∞). */
function nextDown(x: number): number {
  if (x === 0) return -fromBits(1);
  return fromBits(x > 0 ? bitsOf(x) - 1 : bitsOf(x) + 1);
}

/**
 * The thresholds of a map: y codes above k (before the sign fix) when y > thresholds[k], which is
 * quantize_2D's float32 midpoint of values k and k + 1, reached strictly from an even k and at
 * the midpoint itself from an odd one (there quantize_2D keeps the even index).
 */
export function thresholdsOf(map: Float32Array): Float32Array {
  const out = new Float32Array(256).fill(Number.POSITIVE_INFINITY);
  for (let k = 0; k < 255; k++) {
    const midpoint = Math.fround((map[k + 1] + map[k]) * 0.5);
    out[k] = k % 2 === 0 ? midpoint : nextDown(midpoint);
  }
  return out;
}

/**
 * The code before the sign fix of the smallest y of each bucket (assembly/int8.ts): positive
 * buckets first, then negative ones. Throws unless every bucket holds at most one of the map's
 * code boundaries, at its threshold, which is what the encoder's one comparison relies on.
 */
export function bucketsOf(map: Float32Array, signed: boolean): Uint8Array {
  const thresholds = thresholdsOf(map);
  const out = new Uint8Array(2 * BUCKETS);
  for (let negative = 0; negative < 2; negative++) {
    for (let b = 0; b < BUCKETS; b++) {
      // Magnitudes of the bucket: bucket 0 takes everything below 2⁻²³ too, the last only 1.
      const small = b === 0 ? 0 : fromBits((BUCKET_LOW + b) << 16);
      const large = b === BUCKETS - 1 ? 1 : fromBits(((BUCKET_LOW + b) << 16) | 0xffff);
      const lowest = negative ? -large : small;
      const highest = negative ? -small : large;
      const base = quantize2D(map, signed, lowest);
      const top = quantize2D(map, signed, highest);
      const threshold = thresholds[base];
      // quantize2D rises with y: these pin it to base up to the threshold and base + 1 above.
      const ok =
        threshold >= highest
          ? top === base
          : threshold >= lowest &&
            quantize2D(map, signed, threshold) === base &&
            quantize2D(map, signed, nextUp(threshold)) === base + 1 &&
            top === base + 1;
      if (!ok) throw new Error(`descent: int8 bucket ${b} of the map holds two code boundaries`);
      out[negative * BUCKETS + b] = base;
    }
  }
  return out;
}

/** The float32 just above a finite x. */
function nextUp(x: number): number {
  return -nextDown(-x);
}

/** One map's tables in assembly/int8.ts's layout. */
function mapTables(map: Float32Array, signed: boolean): Uint8Array {
  const bytes = new Uint8Array(MAP_BYTES);
  new Float32Array(bytes.buffer, VALUES, 256).set(map);
  new Float32Array(bytes.buffer, THRESHOLDS, 256).set(thresholdsOf(map));
  new Uint32Array(bytes.buffer, ZERO, 1)[0] = zeroCode(map);
  bytes.set(bucketsOf(map, signed), BUCKET_TABLE);
  return bytes;
}

let tables = -1;

/**
 * The address of the tables in the module's memory, written on first use, then this thread's
 * scratch given to the module: -1 when the arena has no room.
 */
export function int8Tables(): number {
  if (tables >= 0 || wasm === null) return tables;
  const start = reserve(2 * MAP_BYTES);
  const scratch = reserve(INT8_SCRATCH_BYTES);
  if (start < 0 || scratch < 0) return -1;
  const bytes = new Uint8Array(wasm.memory.buffer, start, 2 * MAP_BYTES);
  bytes.set(mapTables(signedMap, true), 0);
  bytes.set(mapTables(unsignedMap, false), MAP_BYTES);
  wasm.exports.useScratch(scratch);
  tables = start;
  return tables;
}
