import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DType, FloatArray } from '../../src/core/param.js';
import { type MatmulScalars, matmul } from '../../src/kernels/matmul.js';
import { arenaZeros } from '../../src/kernels/wasm/arena.js';
import { configureSimd, simdInfo, startThreads } from '../../src/kernels/wasm/index.js';
import { matmulStats } from '../../src/kernels/wasm/matmul.js';
import { DEFAULT_THREADS, DEFAULT_THRESHOLD, pool } from '../../src/kernels/wasm/pool.js';

/**
 * The WebAssembly matrix product (assembly/matmul.ts) against the TypeScript loop on random
 * shapes: sizes that are no multiple of its tile (4 rows × 8 float32 or 4 float64 columns) or of
 * its blocks of 32 rows, single rows and columns, B given transposed, symmetric results, E added;
 * then the same bits on one thread and on workers.
 */

/** A seeded generator (xorshift32) of values in [-1, 1). */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 31 - 1;
  };
}

const plain = (dtype: DType, n: number): FloatArray =>
  dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);

function arena(dtype: DType, values: FloatArray): FloatArray {
  const array = arenaZeros(dtype, values.length) ?? plain(dtype, 0);
  expect(array.length).toBe(values.length);
  array.set(values);
  return array;
}

interface Product {
  name: string;
  s: MatmulScalars;
  a: FloatArray;
  b: FloatArray;
  e: FloatArray | null;
}

/** Random A, B (symmetric A and B = A when `symmetric`, B = A's rows when transposed too). */
function product(
  dtype: DType,
  [m, n, k]: readonly number[],
  options: { transposed: boolean; symmetric: boolean; adds: boolean },
  seed: number,
): Product {
  const next = random(seed);
  const fill = (length: number) => plain(dtype, length).map(() => next());
  const { transposed, symmetric, adds } = options;
  const a = fill(m * k);
  let b = fill(transposed ? n * k : k * n);
  if (symmetric && transposed) b = a; // X Xᵀ
  if (symmetric && !transposed) {
    // A A for a symmetric A (m = n = k).
    for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) a[i * m + j] = a[j * m + i];
    b = a;
  }
  const alpha = adds ? next() * 4 : 1;
  const beta = next() * 4;
  const e = adds ? fill(m * n) : null;
  if (symmetric && e !== null) {
    for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) e[i * m + j] = e[j * m + i];
  }
  const name = `${dtype} ${m}×${k} · ${transposed ? `(${n}×${k})ᵀ` : `${k}×${n}`}${symmetric ? ', symmetric' : ''}${adds ? ', + βE' : ''}`;
  return { name, s: { m, n, k, transposed, symmetric, alpha, beta }, a, b, e };
}

/** The product in WebAssembly (every array in the arena); checks that it ran there. */
function inWasm(dtype: DType, p: Product): FloatArray {
  const c = arena(dtype, plain(dtype, p.s.m * p.s.n).fill(Number.NaN));
  const a = arena(dtype, p.a);
  const b = p.b === p.a ? a : arena(dtype, p.b);
  const e = p.e === null ? null : arena(dtype, p.e);
  const before = matmulStats.products;
  matmul(c, a, b, e, p.s);
  expect(matmulStats.products - before).toBe(1);
  return c;
}

/** The TypeScript loop (ordinary arrays), its sums in float64. */
function inTypeScript(dtype: DType, p: Product): FloatArray {
  const c = plain(dtype, p.s.m * p.s.n);
  const before = matmulStats.products;
  matmul(c, p.a, p.b, p.e, p.s);
  expect(matmulStats.products).toBe(before);
  return c;
}

/**
 * Largest |wasm − ts| over its bound: the sums' rounding, k + 2 units of the type's precision
 * times Σ|α aᵢₗ bₗⱼ| + |β eᵢⱼ| (the float64 reference is exact to far less).
 */
function worst(dtype: DType, p: Product, wasm: FloatArray, ts: FloatArray): number {
  const { m, n, k, transposed, alpha, beta } = p.s;
  const unit = dtype === 'float64' ? 2 ** -53 : 2 ** -24;
  let worst = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let size = 0;
      for (let l = 0; l < k; l++) {
        size += Math.abs(p.a[i * k + l] * (transposed ? p.b[j * k + l] : p.b[l * n + j]));
      }
      size = Math.abs(alpha) * size + (p.e === null ? 0 : Math.abs(beta * p.e[i * n + j]));
      const bound = (k + 2) * unit * size + Number.MIN_VALUE;
      const err = Math.abs(wasm[i * n + j] - ts[i * n + j]) / bound;
      if (!(err <= worst)) worst = err;
    }
  }
  return worst;
}

const shapes: (readonly [number, number, number])[] = [
  [1, 1, 1],
  [1, 37, 5],
  [29, 1, 6],
  [7, 9, 1],
  [3, 5, 2],
  [13, 8, 17],
  [33, 31, 9],
  [65, 70, 40],
  [100, 3, 129],
];
const squares = [1, 2, 5, 8, 9, 31, 33, 67];

function cases(dtype: DType): Product[] {
  const out: Product[] = [];
  let seed = dtype === 'float64' ? 1000 : 1;
  for (const shape of shapes) {
    for (const transposed of [false, true]) {
      for (const adds of [false, true]) {
        out.push(product(dtype, shape, { transposed, symmetric: false, adds }, seed++));
      }
    }
  }
  for (const n of squares) {
    // X Xᵀ for X n × (n + 3), and A A + βA for a symmetric A, as Muon's iteration runs them.
    out.push(
      product(dtype, [n, n, n + 3], { transposed: true, symmetric: true, adds: false }, seed++),
    );
    out.push(product(dtype, [n, n, n], { transposed: false, symmetric: true, adds: true }, seed++));
  }
  return out;
}

afterAll(() => {
  pool.setWorkersOnly(false);
  configureSimd({ simd: true, threads: DEFAULT_THREADS, parallelThreshold: DEFAULT_THRESHOLD });
});

describe.each(['float32', 'float64'] as const)('the WebAssembly product, %s', (dtype) => {
  beforeAll(() => configureSimd({ threads: 1 }));

  it.each(cases(dtype).map((p) => [p.name, p] as const))('%s: as the TypeScript loop', (_, p) => {
    const wasm = inWasm(dtype, p);
    const ts = inTypeScript(dtype, p);
    expect(worst(dtype, p, wasm, ts)).toBeLessThanOrEqual(1);
  });

  it('leaves the product to the TypeScript loop when an array is not in the arena, or SIMD is off', () => {
    const p = product(dtype, [5, 6, 7], { transposed: false, symmetric: false, adds: true }, 7);
    const c = arena(dtype, plain(dtype, 30));
    const before = matmulStats.products;
    matmul(c, p.a, arena(dtype, p.b), p.e, p.s);
    matmul(plain(dtype, 30), arena(dtype, p.a), arena(dtype, p.b), null, p.s);
    configureSimd({ simd: false });
    try {
      matmul(c, arena(dtype, p.a), arena(dtype, p.b), null, p.s);
    } finally {
      configureSimd({ simd: true });
    }
    expect(matmulStats.products).toBe(before);
    expect(Array.from(c)).toEqual(Array.from(inTypeScript(dtype, { ...p, e: null })));
  });
});

describe('the same bits on any number of threads', () => {
  const sized = (dtype: DType) => [
    product(dtype, [130, 70, 45], { transposed: false, symmetric: false, adds: true }, 11),
    product(dtype, [97, 97, 150], { transposed: true, symmetric: true, adds: false }, 12),
    product(dtype, [97, 97, 97], { transposed: false, symmetric: true, adds: true }, 13),
  ];
  const all = [...sized('float32'), ...sized('float64')];
  const single = new Map<string, FloatArray>();

  beforeAll(() => {
    configureSimd({ threads: 1, parallelThreshold: 0 });
    const before = matmulStats.shared;
    for (const p of all)
      single.set(p.name, inWasm(p.a instanceof Float64Array ? 'float64' : 'float32', p));
    expect(matmulStats.shared).toBe(before);
  });

  for (const threads of [2, 3]) {
    describe(`on ${threads} threads, every chunk left to the workers`, () => {
      beforeAll(async () => {
        configureSimd({ threads, parallelThreshold: 0 });
        expect(await startThreads()).toBe(threads - 1);
        pool.setWorkersOnly(true);
      });
      afterAll(() => pool.setWorkersOnly(false));

      it.each(all.map((p) => [p.name, p] as const))('%s', (_, p) => {
        const before = { shared: matmulStats.shared, stolen: simdInfo().chunksStolen };
        const c = inWasm(p.a instanceof Float64Array ? 'float64' : 'float32', p);
        expect(matmulStats.shared - before.shared).toBe(1);
        // Chunks of 32 output rows: the product's, and the mirror's for a symmetric result.
        const chunks = Math.ceil(p.s.m / 32) * (p.s.symmetric ? 2 : 1);
        expect(simdInfo().chunksStolen - before.stolen).toBe(chunks);
        expect(Array.from(c)).toEqual(Array.from(single.get(p.name)!));
      });
    });
  }
});
