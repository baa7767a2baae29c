/**
 * C = A B for n × n row-major matrices at the four granularities the chapter times: one call per
 * element (a dot product), one per column (a matrix–vector product), one for the whole product,
 * and one per block of columns. The arithmetic is the same 2n³ flops each way; what changes is how
 * much work each call does and how the memory is walked.
 */

/** Σ_k x[xo + k·xs] y[yo + k·ys] for k < length. */
function dot(
  x: Float64Array,
  xo: number,
  xs: number,
  y: Float64Array,
  yo: number,
  ys: number,
  length: number,
): number {
  let sum = 0;
  for (let k = 0; k < length; k++) sum += x[xo + k * xs] * y[yo + k * ys];
  return sum;
}

/**
 * C[:, from:to] = A B[:, from:to]. A kernel given a whole block can reuse what it loads: it runs
 * four rows of A at once, so each element of B read from memory serves four products (the
 * innermost loop walks rows of B and C contiguously). Rows beyond a multiple of four go singly.
 */
function productColumns(
  a: Float64Array,
  b: Float64Array,
  c: Float64Array,
  n: number,
  from: number,
  to: number,
): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const c0 = i * n;
    const c1 = c0 + n;
    const c2 = c1 + n;
    const c3 = c2 + n;
    for (let j = from; j < to; j++) {
      c[c0 + j] = 0;
      c[c1 + j] = 0;
      c[c2 + j] = 0;
      c[c3 + j] = 0;
    }
    for (let k = 0; k < n; k++) {
      const a0 = a[c0 + k];
      const a1 = a[c1 + k];
      const a2 = a[c2 + k];
      const a3 = a[c3 + k];
      const bk = k * n;
      for (let j = from; j < to; j++) {
        const bkj = b[bk + j];
        c[c0 + j] += a0 * bkj;
        c[c1 + j] += a1 * bkj;
        c[c2 + j] += a2 * bkj;
        c[c3 + j] += a3 * bkj;
      }
    }
  }
  for (; i < n; i++) {
    for (let j = from; j < to; j++) c[i * n + j] = dot(a, i * n, 1, b, j, n, n);
  }
}

export type MatmulMethod = (a: Float64Array, b: Float64Array, c: Float64Array, n: number) => void;

const matmulMethods: Record<string, MatmulMethod> = {
  'element by element': (a, b, c, n) => {
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) c[i * n + j] = dot(a, i * n, 1, b, j, n, n);
  },
  'column by column': (a, b, c, n) => {
    const column = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < n; k++) column[k] = b[k * n + j];
      for (let i = 0; i < n; i++) c[i * n + j] = dot(a, i * n, 1, column, 0, 1, n);
    }
  },
  whole: (a, b, c, n) => productColumns(a, b, c, n, 0, n),
  'blocks of 64 columns': (a, b, c, n) => {
    for (let j = 0; j < n; j += 64) productColumns(a, b, c, n, j, Math.min(j + 64, n));
  },
};

export interface MatmulTiming {
  method: string;
  /** Best time of one product. */
  seconds: number;
  gflops: number;
  /** Largest difference from the first method's product: all four compute the same thing. */
  maxDifference: number;
}

/**
 * Times each method on the same random n × n matrices: repeats each until `minSeconds` have
 * passed (at least twice, the first run warming the JIT up) and keeps the best run.
 */
export function timeMatmul(
  n: number,
  minSeconds: number,
  normal: () => number,
  onMethod?: (done: number, total: number) => void,
): MatmulTiming[] {
  const a = Float64Array.from({ length: n * n }, normal);
  const b = Float64Array.from({ length: n * n }, normal);
  const names = Object.keys(matmulMethods);
  let reference: Float64Array | null = null;
  return names.map((method, index) => {
    const c = new Float64Array(n * n);
    let best = Number.POSITIVE_INFINITY;
    let total = 0;
    for (let run = 0; run < 2 || total < minSeconds; run++) {
      const began = performance.now();
      matmulMethods[method](a, b, c, n);
      const seconds = (performance.now() - began) / 1000;
      total += seconds;
      best = Math.min(best, seconds);
    }
    reference ??= c;
    let maxDifference = 0;
    for (let i = 0; i < c.length; i++) {
      maxDifference = Math.max(maxDifference, Math.abs(c[i] - reference[i]));
    }
    onMethod?.(index + 1, names.length);
    return { method, seconds: best, gflops: (2 * n ** 3) / best / 1e9, maxDifference };
  });
}
