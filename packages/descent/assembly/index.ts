/**
 * descent's WebAssembly module: fused optimizer kernels, one file per optimizer, over a shared
 * memory (layout in memory.ts), run from step tables (table.ts) by one or several threads
 * (threads.ts). Built by `npm run build` (asconfig.json); loaded by src/kernels/wasm/instance.ts.
 */

export { ASGD_COPY } from './asgd';
export {
  INT8_BLOCK,
  INT8_BUCKET_TABLE,
  INT8_BUCKETS,
  INT8_MAP_BYTES,
  INT8_SCRATCH_BYTES,
  INT8_SIGNED_SHIFT,
  INT8_THRESHOLDS,
  INT8_VALUES,
  INT8_ZERO,
  useScratch,
} from './int8';
export { LERP_FROM_END } from './lerp';
export { MATMUL_MIRROR, MATMUL_PACK, MATMUL_SYMMETRIC, MATMUL_TRANSPOSED } from './matmul';
export {
  ARENA_BASE,
  ROW_ARRAYS,
  ROW_BYTES,
  ROW_DTYPE,
  ROW_FLAGS,
  ROW_FORMAT,
  ROW_KEYS,
  ROW_KERNEL,
  ROW_LENGTH,
  ROW_OFFSET,
  ROW_SCALARS,
} from './memory';
export { RADAM_RECTIFIED } from './radam';
export { SUM_BLOCK, SUMS, SUMS_PER_BLOCK } from './reduce';
export { SGD_FIRST, SGD_NESTEROV } from './sgd';
export { BFLOAT16, BFLOAT16_STOCHASTIC, FLOAT, INT8 } from './state';
export { Kernel, run } from './table';
export {
  chunksStolen,
  runParallel,
  WORKERS_ONLY,
  workerFailed,
  workerLoop,
  workersReady,
} from './threads';
