import type { FloatArray } from '../core/param.js';
import { matmulSimd } from './wasm/matmul.js';

/** The shape and scalars of C = α (A B) + β E. */
export interface MatmulScalars {
  /** Rows of A and C. */
  m: number;
  /** Columns of B and C. */
  n: number;
  /** Columns of A, rows of B: the length of each sum. */
  k: number;
  /** B is given transposed, as an n × k matrix: C = α (A Bᵀ) + β E. */
  transposed: boolean;
  /** C is known to be symmetric (m = n), as X Xᵀ and A² are: only its upper triangle need be summed. */
  symmetric: boolean;
  alpha: number;
  /** E's factor; unused without E. */
  beta: number;
}

/**
 * C = α (A B) + β E, every matrix row-major: A m × k, B k × n (n × k when `transposed`), C and E
 * m × n, E optional (null). Each element rounds as a float32 PyTorch op would for float32
 * arrays: round(α·s) + round(β·e), s the sum. C must be none of the other arrays.
 *
 * When every array is in the WebAssembly arena the product runs there (assembly/matmul.ts:
 * blocked, SIMD, shared by rows between threads, its sums in the arrays' type); this loop is the
 * reference and the fallback, its sums in float64.
 */
export function matmul(
  c: FloatArray,
  a: FloatArray,
  b: FloatArray,
  e: FloatArray | null,
  s: MatmulScalars,
): void {
  if (matmulSimd(c, a, b, e, s)) return;
  const { m, n, k, transposed, alpha, beta } = s;
  const round = c instanceof Float32Array ? Math.fround : (x: number) => x;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      if (transposed) for (let l = 0; l < k; l++) sum += a[i * k + l] * b[j * k + l];
      else for (let l = 0; l < k; l++) sum += a[i * k + l] * b[l * n + j];
      const scaled = round(alpha * sum);
      c[i * n + j] = e === null ? scaled : scaled + round(beta * e[i * n + j]);
    }
  }
}
