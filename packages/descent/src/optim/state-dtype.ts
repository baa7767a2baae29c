import type { OptionSpecs } from '../core/options.js';
import {
  allocateState,
  dtypeOf,
  type FloatArray,
  type Param,
  type StateArray,
} from '../core/param.js';
import { bfloat16Bits, roundingKey } from '../kernels/bfloat16.js';
import { blockCount, encodeBlocks, zeroCode } from '../kernels/blockwise.js';
import { signedMap, unsignedMap } from '../kernels/dynamic-map.js';
import type { Moment } from '../kernels/moment.js';
import type { ParamState, StateEntry } from './optimizer.js';

/**
 * Optimizer state in fewer bits (`stateDtype`), for the optimizers whose state is moments (SGD
 * with momentum, Adagrad, RMSprop, Adam, AdamW, Adamax, NAdam, RAdam, Yogi, Lion). A step moves
 * every byte of its state twice; Adam's two float32 moments are 16 of the 28 bytes it moves per
 * parameter, so keeping them in bfloat16 (Optax's `mu_dtype`, torchao) or in 8 bits
 * (bitsandbytes) makes a memory-bound step faster and lets four or eight times as many
 * parameters' state fit in memory.
 *
 *     'bfloat16'  each moment in 16 bits (kernels/bfloat16.ts): decoded, updated in float32 and
 *                 stored rounded (to nearest even, or stochastically); the update uses the
 *                 stored value
 *     'int8'      each moment in 8 bits with a float32 scale per block of 256 (Dettmers et al.
 *                 2022; kernels/blockwise.ts): decoded, updated in float32, the update uses the
 *                 new values, then encoded; parameters smaller than min8bitSize keep their
 *                 dtype's state, as in bitsandbytes
 *     'float32'   float32 moments, also for float64 parameters
 *     null        the parameter's own dtype (the default)
 *
 * Everything else an optimizer keeps (step counts, NAdam's μ product) stays as it is.
 */

/** What `stateDtype` takes. */
export type StateDtype = 'float32' | 'bfloat16' | 'int8';

/** The options of every optimizer whose state is moments. */
export interface StateDtypeOptions {
  /**
   * How the moments are stored: 'float32', 'bfloat16' (16 bits), 'int8' (8 bits, block-wise),
   * or null, the default: the parameter's own dtype. Part of the state dict: a state loads only
   * into an optimizer with the same.
   */
  stateDtype: StateDtype | null;
  /**
   * With bfloat16 state, round each stored moment stochastically (up with the probability of
   * the dropped fraction, torchao's rule) instead of to nearest even, so that updates smaller
   * than a bfloat16 step still move a moment on average. Default false; no effect on other
   * dtypes.
   */
  stochasticRounding: boolean;
  /**
   * The key of the stochastic rounding's random bits, which are a hash of the seed, the
   * parameter's position, the step and the element: the same seed gives the same run, and a
   * resumed run continues as the uninterrupted one. Default 0; an integer in [0, 2³²).
   */
  seed: number;
  /**
   * With int8 state, parameters of fewer elements keep their own dtype's state (biases, norms:
   * there the scales would cost more than the bytes saved). Default 4096, bitsandbytes'
   * `min_8bit_size`; an integer >= 1.
   */
  min8bitSize: number;
}

/** Their specs, which each optimizer's spec lists. */
export const stateDtypeOptions: OptionSpecs<StateDtypeOptions> = {
  stateDtype: {
    summary: "how moments are stored: null (the parameter's dtype), 'float32', 'bfloat16', 'int8'",
    type: 'choice',
    default: null,
    choices: [null, 'float32', 'bfloat16', 'int8'],
  },
  stochasticRounding: {
    summary: 'bfloat16 state rounded stochastically rather than to nearest even',
    type: 'boolean',
    default: false,
  },
  seed: {
    summary: 'the key of the stochastic rounding',
    type: 'integer',
    default: 0,
    min: 0,
    max: 2 ** 32 - 1,
    scale: 'linear',
  },
  min8bitSize: {
    // No `reference`: the name is bitsandbytes' (min_8bit_size), and the optimizers' references
    // (torch.optim, whose keywords the playground's PyTorch export writes) have none.
    summary:
      "int8 state only for parameters of at least this many elements (bitsandbytes' min_8bit_size)",
    type: 'integer',
    default: 4096,
    min: 1,
    scale: 'log',
  },
};

/**
 * An optimizer's moments, by state key, in the order of its kernel's arrays: 'signed' for first
 * moments and momenta, 'unsigned' for second moments and sums of squares (the int8 maps differ).
 */
export type MomentSigns = Readonly<Record<string, 'signed' | 'unsigned'>>;

/** How one parameter's moments are stored. */
export type MomentStorage = 'float32' | 'float64' | 'bfloat16' | 'int8';

/** The storage of a parameter's moments in a group with these options. */
export function momentStorage(p: Param, options: StateDtypeOptions): MomentStorage {
  const { stateDtype } = options;
  if (stateDtype === 'int8' && p.data.length < options.min8bitSize) return dtypeOf(p.data);
  return stateDtype ?? dtypeOf(p.data);
}

/** The key under which an int8 moment keeps its scales. */
const absmaxKey = (key: string): string => `${key}Absmax`;

const mapOf = (sign: 'signed' | 'unsigned'): Float32Array =>
  sign === 'signed' ? signedMap : unsignedMap;

/** A fresh moment's state entries (all `fill`, 0 by default), in the given storage. */
export function newMoment(
  p: Param,
  storage: MomentStorage,
  key: string,
  sign: 'signed' | 'unsigned',
  fill = 0,
): ParamState {
  const n = p.data.length;
  if (storage === 'int8') {
    const map = mapOf(sign);
    const codes = allocateState('uint8', n) as Uint8Array;
    const absmax = allocateState('float32', blockCount(n)) as Float32Array;
    if (fill === 0) codes.fill(zeroCode(map));
    else encodeBlocks(new Float32Array(n).fill(fill), codes, absmax, map, sign === 'signed');
    return { [key]: codes, [absmaxKey(key)]: absmax };
  }
  const array = allocateState(storage, n);
  if (fill !== 0) {
    const value = storage === 'bfloat16' ? bfloat16Bits(fill) : fill;
    array.fill(value);
  }
  return { [key]: array };
}

/** What a moment's state entries must be, in the given storage (see `StateSpec`). */
export function momentEntries(
  p: Param,
  storage: MomentStorage,
  key: string,
  nonNegative: boolean,
): Record<string, StateEntry> {
  if (storage === 'int8') {
    return {
      [key]: { kind: 'array', dtype: 'uint8' },
      [absmaxKey(key)]: {
        kind: 'array',
        dtype: 'float32',
        length: blockCount(p.data.length),
        nonNegative: true,
      },
    };
  }
  return { [key]: { kind: 'array', dtype: storage, nonNegative } };
}

/**
 * A moment as its kernel takes it. `rounding` is the stochastic rounding's stream (the seed, the
 * parameter's position and step, the moment's position), or null to round to nearest even.
 */
export function momentOf(
  state: ParamState,
  storage: MomentStorage,
  key: string,
  sign: 'signed' | 'unsigned',
  rounding: { seed: number; stream: number; step: number; which: number } | null,
): Moment {
  const value = state[key] as StateArray;
  if (storage === 'int8') {
    return {
      format: 'int8',
      codes: value as Uint8Array,
      absmax: state[absmaxKey(key)] as Float32Array,
      map: mapOf(sign),
      signed: sign === 'signed',
    };
  }
  if (storage === 'bfloat16') {
    const key =
      rounding === null
        ? null
        : roundingKey(rounding.seed, rounding.stream, rounding.step, rounding.which);
    return { format: 'bfloat16', bits: value as Uint16Array, key };
  }
  return value as FloatArray;
}

/**
 * Loading refuses a state saved with another stateDtype than the optimizer's group has: its
 * moments would be read as what they are not.
 */
export function checkSameStateDtype(current: unknown, saved: unknown, g: number): void {
  if (saved === undefined || current === undefined || saved === current) return;
  throw new RangeError(
    `Invalid state dict: paramGroups[${g}].stateDtype is ${JSON.stringify(saved)}, the optimizer's group has ${JSON.stringify(current)} (a state loads only into an optimizer keeping the same state dtype)`,
  );
}
