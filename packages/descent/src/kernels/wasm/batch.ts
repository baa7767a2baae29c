import { type FloatArray, isFloatArray } from '../../core/param.js';
import { BLOCK, blockCount } from '../blockwise.js';
import type { BFloat16Moment, Int8Moment, Moment } from '../moment.js';
import { sumsLength } from '../partial-sums.js';
import { inArena, release, reserve } from './arena.js';
import { wasm } from './instance.js';
import { int8Tables } from './int8.js';
import { pool } from './pool.js';

/**
 * Step tables: the kernels of src/kernels/ hand each tensor's update to the WebAssembly module as
 * one row of a table (arrays by address, scalars, flags; layout in assembly/memory.ts). Inside a
 * batch, which `Optimizer.stepGroup` opens around its loop over parameters, rows accumulate and
 * the whole group is stepped by one call, so hundreds of small tensors cost one crossing into
 * WebAssembly and can share threads like one large tensor. Outside a batch each row runs at once.
 *
 * The table lives in the arena and is reused from step to step: no allocation per step.
 */

const constant = (name: string): number => wasm?.constant(name) ?? 0;
const ROW_BYTES = constant('ROW_BYTES');
const ROW_U32 = ROW_BYTES / 4;
const ROW_F64 = ROW_BYTES / 8;
const KERNEL = constant('ROW_KERNEL') / 4;
const DTYPE = constant('ROW_DTYPE') / 4;
const LENGTH = constant('ROW_LENGTH') / 4;
const OFFSET = constant('ROW_OFFSET') / 4;
const FLAGS = constant('ROW_FLAGS') / 4;
const ARRAYS = constant('ROW_ARRAYS') / 4;
const SCALARS = constant('ROW_SCALARS') / 8;
const FORMAT = constant('ROW_FORMAT') / 4;
const KEYS = constant('ROW_KEYS') / 4;
const BFLOAT16 = constant('BFLOAT16');
const BFLOAT16_STOCHASTIC = constant('BFLOAT16_STOCHASTIC');
const INT8 = constant('INT8');
const INT8_SIGNED_SHIFT = constant('INT8_SIGNED_SHIFT');

/** The row layout, as indexes into a row's u32 (and, for SCALARS, f64) view: for other tables. */
export const ROW = { BYTES: ROW_BYTES, KERNEL, DTYPE, LENGTH, OFFSET, FLAGS, ARRAYS, SCALARS };

/** Elements per chunk claimed by a thread: 64Ki, large enough that claiming is negligible. */
const CHUNK = 1 << 16;
const SUM_BLOCK = constant('SUM_BLOCK');
const SUMS = constant('SUMS');

/** A kernel's id in the module, by the name of its `Kernel` enum member (assembly/table.ts). */
export function kernelId(name: string): number {
  return constant(`Kernel.${name}`);
}

/** A flag bit a kernel defines (e.g. SGD_NESTEROV). */
export const kernelFlag = constant;

let table = -1;
let capacity = 0;
let u32: Uint32Array = new Uint32Array(0);
let f64: Float64Array = new Float64Array(0);
let rows = 0;
/** Elements in the table's numbering so far: each row starts at a multiple of 16. */
let total = 0;
let depth = 0;

/** Rows run, calls into WebAssembly, and calls shared between threads: for tests and benchmarks. */
export const stats = { rows: 0, calls: 0, parallelSteps: 0 };

let simdEnabled = true;

/** Turns the WebAssembly kernels off (everything then runs on the TypeScript kernels) or on. */
export function setSimdEnabled(on: boolean): void {
  simdEnabled = on;
}

export function simdEnabledNow(): boolean {
  return simdEnabled && wasm !== null;
}

/** The kernels that read and write moments in fewer bits (assembly/state.ts, int8.ts). */
const lowPrecisionKernels = new Set(
  ['SGD', 'ADAM', 'ADAGRAD', 'RMSPROP', 'ADAMAX', 'NADAM', 'RADAM', 'YOGI', 'LION'].map(kernelId),
);

function fits(p: FloatArray, a: Moment | null, length = p.length): boolean {
  if (a === null) return true;
  if (isFloatArray(a)) {
    return inArena(a) && a.length === length && a.constructor === p.constructor;
  }
  if (a.format === 'bfloat16') return inArena(a.bits) && a.bits.length === length;
  return (
    inArena(a.codes) &&
    a.codes.length === length &&
    inArena(a.absmax) &&
    a.absmax.length === blockCount(length)
  );
}

const isLow = (m: Moment | null): m is BFloat16Moment | Int8Moment =>
  m !== null && !isFloatArray(m);

/**
 * A row's key for a moment: a bfloat16 moment's stochastic-rounding key, an int8 moment's
 * absmax array (assembly/int8.ts), 0 for any other array.
 */
const keyOf = (m: Moment | null): number => {
  if (!isLow(m)) return 0;
  return m.format === 'bfloat16' ? (m.key ?? 0) : m.absmax.byteOffset;
};

/** An int8 row's format (its moments, all int8): INT8, and a bit for each on the signed map. */
function int8Format(a2: Moment | null, a3: Moment | null, a4: Moment | null): number {
  const signedBit = (m: Moment | null, k: number): number =>
    (m as Int8Moment | null)?.signed ? 1 << (INT8_SIGNED_SHIFT + k - 2) : 0;
  return INT8 | signedBit(a2, 2) | signedBit(a3, 3) | signedBit(a4, 4);
}

/**
 * The storage of a row's moments (arrays 2 to 5), as assembly/state.ts numbers it, or -1 when the
 * kernel cannot run them: they mix storages, or are in fewer bits for a kernel or a parameter
 * type without such loops, or int8 in a fifth array, or int8 without room for its tables. It runs
 * for every row, so it allocates nothing and returns at once for float moments.
 */
function formatOf(
  kernel: number,
  p: FloatArray,
  a2: Moment | null,
  a3: Moment | null,
  a4: Moment | null,
  a5: Moment | null,
): number {
  if (!isLow(a2) && !isLow(a3) && !isLow(a4) && !isLow(a5)) return 0;
  const present = [a2, a3, a4, a5].filter((m) => m !== null);
  if (!lowPrecisionKernels.has(kernel) || !(p instanceof Float32Array)) return -1;
  if (present.every((m) => isLow(m) && m.format === 'int8')) {
    return a5 === null && int8Tables() >= 0 ? INT8 : -1;
  }
  if (!present.every((m) => isLow(m) && m.format === 'bfloat16')) return -1;
  const stochastic = present.filter((m) => (m as BFloat16Moment).key !== null).length;
  if (stochastic !== 0 && stochastic !== present.length) return -1;
  return stochastic > 0 ? BFLOAT16_STOCHASTIC : BFLOAT16;
}

/** An array's address, 0 for none. */
const address = (a: Moment | null): number => {
  if (a === null) return 0;
  if (isFloatArray(a)) return a.byteOffset;
  return a.format === 'bfloat16' ? a.bits.byteOffset : a.codes.byteOffset;
};

/**
 * Starts a row for one tensor: the parameter and up to five more arrays, null where the kernel
 * does without. Returns false (and adds nothing) unless every array is in the arena with the
 * parameter's length and element type, or for the moments (arrays 2 to 5) bfloat16 storage that
 * the kernel reads (all of them alike); the caller then runs its TypeScript loop instead. Finish
 * the row with `closeRow`.
 */
export function openRow(
  kernel: number,
  p: FloatArray,
  a1: FloatArray,
  a2: Moment | null = null,
  a3: Moment | null = null,
  a4: Moment | null = null,
  a5: Moment | null = null,
): boolean {
  if (!fits(p, a1) || !fits(p, a2) || !fits(p, a3) || !fits(p, a4) || !fits(p, a5)) return false;
  return place(kernel, p, a1, a2, a3, a4, a5);
}

/** Adds a row for arrays already checked, when the kernels can run on `p` and its moments. */
function place(
  kernel: number,
  p: FloatArray,
  a1: FloatArray,
  a2: Moment | null,
  a3: Moment | null,
  a4: Moment | null,
  a5: Moment | null,
): boolean {
  if (!simdEnabled || wasm === null || p.length === 0 || !inArena(p)) return false;
  const format = formatOf(kernel, p, a2, a3, a4, a5);
  if (format < 0) return false;
  if (rows === capacity) growTable();
  const r = rows * ROW_U32;
  const int8 = format === INT8;
  // An int8 row starts where no chunk splits one of its blocks.
  if (int8) total = alignedStart(BLOCK, p.length);
  u32[r + FORMAT] = int8 ? int8Format(a2, a3, a4) : format;
  u32[r + KEYS] = keyOf(a2);
  u32[r + KEYS + 1] = keyOf(a3);
  u32[r + KEYS + 2] = keyOf(a4);
  u32[r + KEYS + 3] = int8 ? int8Tables() : keyOf(a5);
  u32[r + KERNEL] = kernel;
  u32[r + DTYPE] = p instanceof Float64Array ? 1 : 0;
  u32[r + LENGTH] = p.length;
  u32[r + OFFSET] = total;
  u32[r + ARRAYS] = p.byteOffset;
  u32[r + ARRAYS + 1] = a1.byteOffset;
  u32[r + ARRAYS + 2] = address(a2);
  u32[r + ARRAYS + 3] = address(a3);
  u32[r + ARRAYS + 4] = address(a4);
  u32[r + ARRAYS + 5] = address(a5);
  u32[r + ARRAYS + SUMS] = 0;
  rows++;
  total += Math.ceil(p.length / 16) * 16;
  return true;
}

/**
 * Starts a row whose kernel also sums blocks of its elements into `sums` (an arena array of
 * src/kernels/partial-sums.ts's layout for the parameter's length), as `openRow`. The row starts
 * where no thread's chunk splits one of its blocks: at a multiple of the block, or, when shorter
 * than one, of the power of two above its length, inside one chunk.
 */
export function openSummingRow(
  kernel: number,
  sums: Float64Array,
  p: FloatArray,
  a1: FloatArray,
  a2: FloatArray | null = null,
  a3: FloatArray | null = null,
  a4: FloatArray | null = null,
  a5: FloatArray | null = null,
): boolean {
  const before = alignSums(sums, p);
  return before >= 0 && keepSums(sums, before, openRow(kernel, p, a1, a2, a3, a4, a5));
}

/**
 * Moves the numbering to where a summing row of `p` may start (openSummingRow); returns where it
 * was, or -1 (nothing moved) when `sums` is not the row's.
 */
function alignSums(sums: Float64Array, p: FloatArray): number {
  if (!inArena(sums) || sums.length !== sumsLength(p.length)) return -1;
  const before = total;
  total = alignedStart(SUM_BLOCK, p.length);
  return before;
}

/**
 * Where in the numbering a row of `length` elements may start so that no chunk splits one of its
 * blocks: at a multiple of the block, or, when shorter than one, of the power of two above its
 * length (16 at least), which puts it inside one chunk.
 */
function alignedStart(block: number, length: number): number {
  const alignment = Math.min(block, 2 ** Math.ceil(Math.log2(Math.max(length, 16))));
  return Math.ceil(total / alignment) * alignment;
}

/** Gives the row just opened its sums, or when none was, moves the numbering back. */
function keepSums(sums: Float64Array, before: number, opened: boolean): boolean {
  if (!opened) {
    total = before;
    return false;
  }
  u32[(rows - 1) * ROW_U32 + ARRAYS + SUMS] = sums.byteOffset;
  return true;
}

/**
 * Starts a row for a parameter whose trailing m × n matrices have their second moment factored
 * (Adafactor's): arrays p and g as `openRow`'s, then `rowVar`, which holds one number per row of
 * each matrix, and `colVar` and `roots`, one per column, so p.length / n and p.length / m numbers
 * rather than the parameter's length (each in the arena, of p's element type). A function of its
 * own so that `openRow` keeps requiring the parameter's length of every array, which catches any
 * other kernel handed a state array of another tensor. With `sums`, the row sums blocks as
 * `openSummingRow`'s.
 */
export function openFactoredRow(
  kernel: number,
  p: FloatArray,
  g: FloatArray,
  rowVar: FloatArray,
  colVar: FloatArray,
  roots: FloatArray,
  m: number,
  n: number,
  sums: Float64Array | null = null,
): boolean {
  if (!fits(p, g) || !fits(p, rowVar, p.length / n)) return false;
  if (!fits(p, colVar, p.length / m) || !fits(p, roots, p.length / m)) return false;
  if (sums === null) return place(kernel, p, g, rowVar, colVar, roots, null);
  const before = alignSums(sums, p);
  return before >= 0 && keepSums(sums, before, place(kernel, p, g, rowVar, colVar, roots, null));
}

/**
 * Finishes the row `openRow` started: its flags and scalars, in the order the kernel's file in
 * assembly/ lists them. Outside a batch the row runs at once.
 */
export function closeRow(
  flags: number,
  s0 = 0,
  s1 = 0,
  s2 = 0,
  s3 = 0,
  s4 = 0,
  s5 = 0,
  s6 = 0,
  s7 = 0,
  s8 = 0,
  s9 = 0,
): void {
  const r = rows - 1;
  u32[r * ROW_U32 + FLAGS] = flags;
  const s = r * ROW_F64 + SCALARS;
  f64[s] = s0;
  f64[s + 1] = s1;
  f64[s + 2] = s2;
  f64[s + 3] = s3;
  f64[s + 4] = s4;
  f64[s + 5] = s5;
  f64[s + 6] = s6;
  f64[s + 7] = s7;
  f64[s + 8] = s8;
  f64[s + 9] = s9;
  if (depth === 0) flush();
}

/** Opens a batch: rows wait for the matching `endBatch`. Batches nest. */
export function beginBatch(): void {
  depth++;
}

/** Closes a batch, running its rows. */
export function endBatch(): void {
  if (--depth === 0) flush();
}

/** Runs `queue` inside a batch: the rows it opens run together when it returns (or throws). */
export function batch(queue: () => void): void {
  beginBatch();
  try {
    queue();
  } finally {
    endBatch();
  }
}

function flush(): void {
  const n = rows;
  const elements = total;
  rows = 0;
  total = 0;
  if (n === 0) return;
  stats.rows += n;
  stats.calls++;
  const exports = wasm!.exports;
  if (pool.use(elements)) {
    stats.parallelSteps++;
    if (exports.runParallel(table, n, elements, CHUNK) !== 0) pool.failed();
  } else {
    exports.run(table, n, 0, elements);
  }
}

function growTable(): void {
  const next = Math.max(64, capacity * 2);
  const start = reserve(next * ROW_BYTES);
  if (start < 0) throw new RangeError('descent: WebAssembly memory is full (step table)');
  const buffer = wasm!.memory.buffer;
  const bytes = new Uint8Array(buffer, start, next * ROW_BYTES);
  if (table >= 0) {
    bytes.set(new Uint8Array(buffer, table, rows * ROW_BYTES));
    release(table);
  }
  table = start;
  capacity = next;
  u32 = new Uint32Array(buffer, start, next * ROW_U32);
  f64 = new Float64Array(buffer, start, next * ROW_F64);
}
