import { arenaZeros } from '../kernels/wasm/arena.js';

/** The element types descent steps: single and double precision. */
export type FloatArray = Float32Array | Float64Array;
/** The name of an element type, as `param()` and safetensors spell it (PyTorch: torch.float32). */
export type DType = 'float32' | 'float64';

/**
 * A trainable tensor, flattened: its values and, once computed, its gradient.
 *
 * Like a PyTorch parameter, `grad` may be null (the optimizer then skips it) or be replaced by a
 * new array of the same element type and length. `Param` is what optimizers take; `G` narrows
 * the gradient's type: `param()` returns a `Param<FloatArray>`, whose gradient exists.
 */
export interface Param<G extends FloatArray | null = FloatArray | null> {
  /** The values, updated in place by every step. */
  data: FloatArray;
  /**
   * The gradient of the loss with respect to `data`, of the same element type and length; null
   * when there is none (the parameter is skipped), as after `zeroGrad()`.
   */
  grad: G;
  /**
   * A name: state dicts record it (so state can be matched by name when the parameters are
   * reordered), checkpoints name the tensor by it, and messages use it.
   */
  name?: string;
  /**
   * The tensor's dimensions, row-major as PyTorch's (the last varies fastest), whose product is
   * the length: `[rows, columns]` for a weight matrix. `param()` always sets it (`[length]` by
   * default); a parameter made by hand without one is a vector. Optimizers that treat a matrix as
   * a matrix (Adafactor's factored second moment) read it; the elementwise ones ignore it.
   */
  shape?: readonly number[];
}

/** The options of {@link param}. */
export interface ParamOptions {
  /** The parameter's name (see {@link Param.name}); default none. */
  name?: string;
  /** Element type when `init` is a length or a plain array; default 'float32', as in PyTorch. */
  dtype?: DType;
  /**
   * The tensor's dimensions (see {@link Param.shape}): integers >= 0 whose product is the
   * length; default `[length]`. Kept frozen, as a copy.
   */
  shape?: readonly number[];
}

/** Allocates a zero-filled array of the given element type. */
export function zeros(dtype: DType, length: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

/**
 * A zero-filled array where descent's kernels step it fastest: the WebAssembly arena when it is
 * available (src/kernels/wasm/arena.ts), else an ordinary typed array.
 */
export function allocate(dtype: DType, length: number): FloatArray {
  return arenaZeros(dtype, length) ?? zeros(dtype, length);
}

/** The element type of a float array. */
export function dtypeOf(array: FloatArray): DType {
  return array instanceof Float64Array ? 'float64' : 'float32';
}

/**
 * An array of optimizer state: float arrays, and the storage of moments kept in fewer bits
 * (`stateDtype`): bfloat16 bits in a Uint16Array, int8 codes in a Uint8Array.
 */
export type StateArray = FloatArray | Uint16Array | Uint8Array;

/** The element type of a state array, as state dicts name it. */
export type StateArrayDType = DType | 'bfloat16' | 'uint8';

/** Whether a value is one of the arrays optimizer state is made of (see {@link StateArray}). */
export function isStateArray(value: unknown): value is StateArray {
  return isFloatArray(value) || value instanceof Uint16Array || value instanceof Uint8Array;
}

/** The element type of a state array. */
export function stateArrayDType(array: StateArray): StateArrayDType {
  if (array instanceof Uint16Array) return 'bfloat16';
  if (array instanceof Uint8Array) return 'uint8';
  return dtypeOf(array);
}

/** The array of each element type of state arrays, by the name state dicts give it. */
export const stateArrayClasses = {
  /** float32 values. */
  float32: Float32Array,
  /** float64 values. */
  float64: Float64Array,
  /** bfloat16 values, as their 16 bits (the upper half of a float32). */
  bfloat16: Uint16Array,
  /** int8 moments' codes: indices into a quantization map. */
  uint8: Uint8Array,
} as const;

/** Whether a value names an element type of state arrays (a key of {@link stateArrayClasses}). */
export function isStateArrayDType(value: unknown): value is StateArrayDType {
  return typeof value === 'string' && Object.hasOwn(stateArrayClasses, value);
}

/** A zero-filled state array of the given element type, in the arena when it can be. */
export function allocateState(dtype: StateArrayDType, length: number): StateArray {
  return arenaZeros(dtype, length) ?? new stateArrayClasses[dtype](length);
}

/** Whether a value is a `Float32Array` or a `Float64Array`, the arrays descent steps. */
export function isFloatArray(value: unknown): value is FloatArray {
  return value instanceof Float32Array || value instanceof Float64Array;
}

/**
 * Makes a parameter from a length (zeros), a plain array or a typed array (copied; a typed array
 * keeps its element type). The gradient starts as zeros, so `p.grad.set(g)` works at once: its
 * type says it exists. (`zeroGrad()`, whose default sets gradients to null as PyTorch's does,
 * leaves it null until a new array is assigned; `zeroGrad(false)` zeroes it in place.)
 *
 * This is the documented way to make parameters: it owns where the values live, so descent can
 * give them the fastest storage without any change to user code.
 */
export function param(
  init: number | ArrayLike<number>,
  options: ParamOptions = {},
): Param<FloatArray> {
  const { name, dtype, shape } = options;
  if (dtype !== undefined && dtype !== 'float32' && dtype !== 'float64') {
    throw new TypeError(`Invalid dtype: ${String(dtype)} (expected 'float32' or 'float64')`);
  }
  let data: FloatArray;
  if (typeof init === 'number') {
    if (!Number.isInteger(init) || init < 0) {
      throw new RangeError(`Invalid parameter length: ${init}`);
    }
    data = allocate(dtype ?? 'float32', init);
  } else if (isFloatArray(init) && dtype === undefined) {
    data = allocate(dtypeOf(init), init.length);
    data.set(init);
  } else if (init !== null && typeof init === 'object' && typeof init.length === 'number') {
    data = allocate(dtype ?? 'float32', init.length);
    for (let i = 0; i < init.length; i++) {
      const value = init[i];
      if (typeof value !== 'number') {
        throw new TypeError(`Invalid parameter value at index ${i}: ${String(value)}`);
      }
      data[i] = value;
    }
  } else {
    throw new TypeError(`Invalid parameter init: ${String(init)} (expected a length or an array)`);
  }
  // Checked before the gradient is allocated, and with the values' length known.
  const dims = shapeOf(shape, data.length);
  const grad = allocate(dtypeOf(data), data.length);
  return name === undefined ? { data, grad, shape: dims } : { data, grad, name, shape: dims };
}

/**
 * A parameter's shape, checked against its length: a copy, frozen, of `shape`, or `[length]`
 * when there is none. A TypeError for what is not a list of integers >= 0, a RangeError naming
 * both when their product is not the length.
 */
function shapeOf(shape: unknown, length: number): readonly number[] {
  if (shape === undefined) return Object.freeze([length]);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new TypeError(
      `Invalid shape: ${describeShape(shape)} (expected a list of integers >= 0)`,
    );
  }
  const elements = shape.reduce((n: number, d: number) => n * d, 1);
  if (elements !== length) {
    throw new RangeError(
      `Invalid shape: [${shape.join(', ')}] holds ${elements} elements, the parameter's length is ${length}`,
    );
  }
  return Object.freeze([...shape]);
}

function describeShape(shape: unknown): string {
  return Array.isArray(shape) ? `[${shape.map(String).join(', ')}]` : String(shape);
}
