import { type FloatArray, isFloatArray } from '../core/param.js';
import { bfloat16Bits, bfloat16BitsStochastic, bfloat16Value, randomBits16 } from './bfloat16.js';
import { decodeBlocks, encodeBlocks } from './blockwise.js';

/**
 * A moment (a running average an optimizer keeps per element) as a kernel receives it: a float
 * array, or its storage in fewer bits (`stateDtype`), which the kernel decodes, updates and
 * encodes again in the same pass.
 */
export type Moment = FloatArray | BFloat16Moment | Int8Moment;

/** A moment kept in bfloat16 (bfloat16.ts). */
export interface BFloat16Moment {
  readonly format: 'bfloat16';
  /** The values' bits. */
  readonly bits: Uint16Array;
  /** The key of this step's stochastic rounding (`roundingKey`), or null: to nearest even. */
  readonly key: number | null;
}

/** A moment kept in 8 bits, block-wise (blockwise.ts). */
export interface Int8Moment {
  readonly format: 'int8';
  /** One code per element. */
  readonly codes: Uint8Array;
  /** One absolute maximum per block of 256 elements. */
  readonly absmax: Float32Array;
  /** The dynamic map the codes index (signed or unsigned, dynamic-map.ts). */
  readonly map: Float32Array;
  /** Whether the map is the signed one. */
  readonly signed: boolean;
}

/**
 * Rounds element i of moment k (its position in the kernel's list) in place to what its storage
 * keeps, right after a TypeScript kernel stored it: the rest of the step then reads the stored
 * value, as it would read it back from float32 state. Only bfloat16 state needs it; int8 state is
 * encoded after the step, which uses the unquantized values (as bitsandbytes' kernels do).
 */
export type Narrow = (array: FloatArray, k: number, i: number) => void;

const scratch: FloatArray[] = [];

/** Float array k of the scratch, of the parameter's type and length. */
function scratchFor(k: number, like: FloatArray): FloatArray {
  const current = scratch[k];
  if (current?.constructor === like.constructor && current.length >= like.length) {
    return current.subarray(0, like.length);
  }
  const fresh =
    like instanceof Float64Array ? new Float64Array(like.length) : new Float32Array(like.length);
  scratch[k] = fresh;
  return fresh;
}

/** The float values of a moment, into `out`. */
function decodeMoment(moment: BFloat16Moment | Int8Moment, out: FloatArray): void {
  if (moment.format === 'int8') {
    decodeBlocks(moment.codes, moment.absmax, moment.map, out);
    return;
  }
  const { bits } = moment;
  for (let i = 0; i < bits.length; i++) out[i] = bfloat16Value(bits[i]);
}

/** Stores float values into a moment's storage. */
function encodeMoment(moment: BFloat16Moment | Int8Moment, values: FloatArray): void {
  if (moment.format === 'int8') {
    encodeBlocks(values, moment.codes, moment.absmax, moment.map, moment.signed);
    return;
  }
  // Already rounded by `narrow`: this only takes their bits.
  const { bits } = moment;
  for (let i = 0; i < bits.length; i++) bits[i] = bfloat16Bits(values[i]);
}

function narrowFor(moments: readonly (Moment | null)[]): Narrow | null {
  const keys = moments.map((m) =>
    m !== null && !isFloatArray(m) && m.format === 'bfloat16' ? m.key : undefined,
  );
  if (keys.every((key) => key === undefined)) return null;
  return (array, k, i) => {
    const key = keys[k];
    if (key === undefined) return;
    const bits =
      key === null
        ? bfloat16Bits(array[i])
        : bfloat16BitsStochastic(array[i], randomBits16(key, i));
    array[i] = bfloat16Value(bits);
  };
}

/** A moment's values: its float array, or a new one decoded from its storage (for checks). */
export function momentValues(moment: Moment, like: FloatArray): FloatArray {
  if (isFloatArray(moment)) return moment;
  const out =
    like instanceof Float64Array ? new Float64Array(like.length) : new Float32Array(like.length);
  decodeMoment(moment, out);
  return out;
}

/**
 * Runs a TypeScript kernel's loop over float arrays whatever its moments' storage: float moments
 * are passed as they are (and `narrow` is null), others are decoded into scratch arrays first and
 * encoded again after. `floats` has the moments' order, null where a moment is null.
 */
export function withFloatMoments(
  p: FloatArray,
  moments: readonly (Moment | null)[],
  loop: (floats: (FloatArray | null)[], narrow: Narrow | null) => void,
): void {
  if (moments.every((m) => m === null || isFloatArray(m))) {
    loop(moments as (FloatArray | null)[], null);
    return;
  }
  const floats = moments.map((m, k) => {
    if (m === null || isFloatArray(m)) return m;
    const out = scratchFor(k, p);
    decodeMoment(m, out);
    return out;
  });
  loop(floats, narrowFor(moments));
  moments.forEach((m, k) => {
    if (m !== null && !isFloatArray(m)) encodeMoment(m, floats[k]!);
  });
}
