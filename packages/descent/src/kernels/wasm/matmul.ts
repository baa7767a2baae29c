import type { FloatArray } from '../../core/param.js';
import type { MatmulScalars } from '../matmul.js';
import { inArena, release, reserve } from './arena.js';
import { kernelFlag as constant, kernelId, ROW, simdEnabledNow } from './batch.js';
import { wasm } from './instance.js';
import { pool } from './pool.js';

/**
 * Matrix products in WebAssembly (assembly/matmul.ts): three passes, each a one-row table of its
 * own, kept in the arena and rewritten for each product: B packed into panels on the calling
 * thread, the product shared by blocks of output rows between threads, and, for a symmetric
 * result, its upper triangle mirrored. The packed copy of B is one block of the arena, grown to
 * the largest B so far and reused.
 */

const MATMUL = kernelId('MATMUL');
const PACK = constant('MATMUL_PACK');
const MIRROR = constant('MATMUL_MIRROR');
const TRANSPOSED = constant('MATMUL_TRANSPOSED');
const SYMMETRIC = constant('MATMUL_SYMMETRIC');
const { BYTES: ROW_BYTES, KERNEL, DTYPE, LENGTH, OFFSET, FLAGS, ARRAYS, SCALARS } = ROW;

/** Output rows per chunk a thread claims: 8 tiles of 4 rows, the kernel's block (MC). */
const CHUNK_ROWS = 32;
/** A panel is 32 bytes wide: 8 float32 or 4 float64 columns. */
const PANEL_BYTES = 32;
/**
 * Multiply-adds that cost about as much as one element of an elementwise step (some 16 in SIMD),
 * so the pool's threshold, in elements, holds for products too.
 */
const MULTIPLY_ADDS_PER_ELEMENT = 16;

/** Products run in WebAssembly, and those shared between threads: for tests and benchmarks. */
export const matmulStats = { products: 0, shared: 0 };

let table = -1;
/** The table's three rows, viewed once: shared memory never detaches, so views stay valid. */
let u32: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
let f64: Float64Array<ArrayBufferLike> = new Float64Array(0);
let packed = -1;
let packedBytes = 0;

function same(c: FloatArray, x: FloatArray | null): boolean {
  return x === null || (inArena(x) && x.constructor === c.constructor);
}

/** Writes row `r` of the table (a pass) with its flags and the element count it runs over. */
function writeRow(
  r: number,
  flags: number,
  length: number,
  c: FloatArray,
  a: FloatArray,
  b: FloatArray,
  e: FloatArray | null,
  s: MatmulScalars,
): number {
  const w = (r * ROW_BYTES) / 4;
  const d = (r * ROW_BYTES) / 8;
  u32[w + KERNEL] = MATMUL;
  u32[w + DTYPE] = c instanceof Float64Array ? 1 : 0;
  u32[w + LENGTH] = length;
  u32[w + OFFSET] = 0;
  u32[w + FLAGS] = flags;
  u32[w + ARRAYS] = c.byteOffset;
  u32[w + ARRAYS + 1] = a.byteOffset;
  u32[w + ARRAYS + 2] = b.byteOffset;
  u32[w + ARRAYS + 3] = packed;
  u32[w + ARRAYS + 4] = e === null ? 0 : e.byteOffset;
  f64[d + SCALARS] = s.m;
  f64[d + SCALARS + 1] = s.n;
  f64[d + SCALARS + 2] = s.k;
  f64[d + SCALARS + 3] = s.alpha;
  f64[d + SCALARS + 4] = s.beta;
  return table + r * ROW_BYTES;
}

/** Runs a pass over `elements`, shared between threads when `work` reaches the pool's threshold. */
function runPass(row: number, elements: number, work: number): boolean {
  const exports = wasm!.exports;
  if (!pool.use(work)) {
    exports.run(row, 1, 0, elements);
    return false;
  }
  if (exports.runParallel(row, 1, elements, CHUNK_ROWS) !== 0) pool.failed();
  return true;
}

/**
 * Runs C = α (A B) + β E in WebAssembly; false (and nothing done) unless every array is in the
 * arena with C's element type, or when the kernels are off or memory is full.
 */
export function matmulSimd(
  c: FloatArray,
  a: FloatArray,
  b: FloatArray,
  e: FloatArray | null,
  s: MatmulScalars,
): boolean {
  if (!simdEnabledNow() || !inArena(c) || !same(c, a) || !same(c, b) || !same(c, e)) return false;
  const { m, n, k } = s;
  const panels = Math.ceil(n / (PANEL_BYTES / c.BYTES_PER_ELEMENT));
  const bytes = panels * k * PANEL_BYTES;
  if (table < 0) {
    table = reserve(3 * ROW_BYTES);
    if (table < 0) return false;
    u32 = new Uint32Array(wasm!.memory.buffer, table, (3 * ROW_BYTES) / 4);
    f64 = new Float64Array(wasm!.memory.buffer, table, (3 * ROW_BYTES) / 8);
  }
  if (bytes > packedBytes) {
    if (packed >= 0) release(packed);
    packed = reserve(bytes);
    packedBytes = packed < 0 ? 0 : bytes;
    if (packed < 0) return false;
  }
  matmulStats.products++;
  const transposed = s.transposed ? TRANSPOSED : 0;
  const symmetric = s.symmetric && m === n ? SYMMETRIC : 0;
  // Packing reads and writes each element of B once: not worth waking the threads for.
  wasm!.exports.run(writeRow(0, PACK | transposed, panels, c, a, b, e, s), 1, 0, panels);
  const product = writeRow(1, transposed | symmetric, m, c, a, b, e, s);
  const multiplyAdds = (symmetric ? 0.5 : 1) * m * n * k;
  if (runPass(product, m, multiplyAdds / MULTIPLY_ADDS_PER_ELEMENT)) matmulStats.shared++;
  if (symmetric) runPass(writeRow(2, MIRROR, m, c, a, b, e, s), m, m * m);
  return true;
}
