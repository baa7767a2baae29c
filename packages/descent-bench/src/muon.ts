import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { param } from '../../descent/src/core/param.js';
import { freeArray } from '../../descent/src/kernels/wasm/arena.js';
import { configureSimd } from '../../descent/src/kernels/wasm/index.js';
import { matmulStats } from '../../descent/src/kernels/wasm/matmul.js';
import { DEFAULT_THRESHOLD } from '../../descent/src/kernels/wasm/pool.js';
import { Muon } from '../../descent/src/optim/muon.js';
import { packageRoot } from './paths.js';
import { type Budget, measure, type Timing } from './timing.js';
import { PYTHON } from './torch.js';

/**
 * Muon's orthogonalization of an n × n float32 matrix: 5 Newton–Schulz iterations with PyTorch
 * 2.9's coefficients, X ← a·X + (b·A + c·A²)·X with A = X Xᵀ, from X/‖X‖, three matrix products
 * each. descent runs it as a Muon step (its products in WebAssembly, assembly/matmul.ts, on one
 * thread or all; the step's momentum and update add a few passes over n² elements); TensorFlow.js's
 * wasm backend (XNNPACK) and PyTorch on the CPU run the iteration itself with their matMul.
 */

export const NS_COEFFICIENTS = [3.4445, -4.775, 2.0315] as const;
export const NS_STEPS = 5;
const EPS = 1e-7;
/** Products a Muon step of one square matrix takes. */
const PRODUCTS = 3 * NS_STEPS;

export interface MuonCase {
  size: number;
  descent: { simd?: Timing; 'simd-1'?: Timing };
  /** Products descent ran in WebAssembly, and those shared between threads, per mode. */
  products: { simd?: [number, number]; 'simd-1'?: [number, number] };
  tfjs: { wasm?: Timing };
  torch: { all?: Timing; one?: Timing };
}

export interface MuonResult {
  /** When the section ran (`--only-muon` runs it apart from the rest). */
  date: string;
  /** Threads TensorFlow.js's wasm backend ran on (its getThreadsCount), null without it. */
  tfjsThreads: number | null;
  /** Threads of PyTorch's "all" timing, null without PyTorch. */
  torchThreads: number | null;
  /** The BLAS PyTorch was built with (its BLAS_INFO: Debian's is "generic"), null without it. */
  torchBlas: string | null;
  cases: MuonCase[];
}

function fill(array: Float32Array | Float64Array, seed: number): void {
  let x = seed;
  for (let i = 0; i < array.length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    array[i] = x / 2147483648 - 0.5;
  }
}

/**
 * Milliseconds per Muon step of one n × n float32 parameter in the arena, on every core (the
 * pool's default threshold) or on one; throws unless every product ran in WebAssembly and, on
 * one thread, none was shared.
 */
export function timeMuonDescent(
  n: number,
  mode: 'simd' | 'simd-1',
  budget: Budget,
): { timing: Timing; products: [number, number] } {
  configureSimd({
    parallelThreshold: mode === 'simd' ? DEFAULT_THRESHOLD : Number.MAX_SAFE_INTEGER,
  });
  const p = param(n * n, { shape: [n, n] });
  fill(p.data, 1);
  fill(p.grad, 2);
  const [a, b, c] = NS_COEFFICIENTS;
  const opt = new Muon([p], {
    lr: 1e-3,
    weightDecay: 0,
    momentum: 0,
    nesterov: false,
    nsCoefficients: [a, b, c],
    nsSteps: NS_STEPS,
    eps: EPS,
  });
  let steps = 0;
  const before = { ...matmulStats };
  const timing = measure(() => {
    opt.step();
    steps++;
  }, budget);
  const products: [number, number] = [
    matmulStats.products - before.products,
    matmulStats.shared - before.shared,
  ];
  freeArray(p.data);
  freeArray(p.grad);
  configureSimd({ parallelThreshold: DEFAULT_THRESHOLD });
  if (products[0] !== steps * PRODUCTS || (mode === 'simd-1' && products[1] !== 0)) {
    throw new Error(`bench: Muon ${n} ${mode} ran ${products} products in ${steps} steps`);
  }
  return { timing, products };
}

interface Tensor {
  dispose(): void;
}
/** The part of TensorFlow.js the iteration uses. */
export interface TfMatmul {
  tidy<T>(f: () => T): T;
  matMul(a: Tensor, b: Tensor): Tensor;
  transpose(x: Tensor): Tensor;
  add(a: Tensor, b: Tensor): Tensor;
  mul(a: Tensor | number, b: Tensor | number): Tensor;
  div(a: Tensor, b: Tensor): Tensor;
  maximum(a: Tensor, b: Tensor | number): Tensor;
  norm(x: Tensor): Tensor;
  randomNormal(shape: number[]): Tensor;
  setBackend(name: string): Promise<boolean>;
  getBackend(): string;
  ready(): Promise<void>;
}

/** The iteration with tf ops on TensorFlow.js's current backend, once. */
export function newtonSchulzTf(tf: TfMatmul, g: Tensor): Tensor {
  const [a, b, c] = NS_COEFFICIENTS;
  return tf.tidy(() => {
    let x = tf.div(g, tf.maximum(tf.norm(g), EPS));
    for (let t = 0; t < NS_STEPS; t++) {
      // X times its transpose, made explicitly: matMul's transposeB runs 15 times slower on the
      // wasm backend here (17 ms against 1.1 ms at 256 × 256, a transpose included 2.4 ms).
      const gram = tf.matMul(x, tf.transpose(x));
      const poly = tf.add(tf.mul(b, gram), tf.matMul(tf.mul(c, gram), gram));
      x = tf.add(tf.mul(a, x), tf.matMul(poly, x));
    }
    return x;
  });
}

/** Milliseconds per iteration on TensorFlow.js's wasm backend (its ops run synchronously). */
export async function timeMuonTfjs(tf: TfMatmul, n: number, budget: Budget): Promise<Timing> {
  if (!(await tf.setBackend('wasm')) || tf.getBackend() !== 'wasm') {
    throw new Error('bench: TensorFlow.js backend wasm did not start');
  }
  await tf.ready();
  const g = tf.randomNormal([n, n]);
  const timing = measure(() => newtonSchulzTf(tf, g).dispose(), budget);
  g.dispose();
  return timing;
}

interface TorchMuon {
  torch: string;
  threads: number;
  blas: string;
  results: { size: number; threads: number; best: number; median: number; reps: number }[];
}

/** PyTorch's iteration on one thread and on all cores (src/torch_bench.py), null without torch. */
export function timeMuonTorch(sizes: number[], budget: Budget): TorchMuon | null {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
  if (probe.status !== 0) return null;
  const job = {
    muon: { sizes, coefficients: NS_COEFFICIENTS, steps: NS_STEPS, eps: EPS },
    budgetMs: budget.budgetMs,
    minReps: budget.minReps,
    maxReps: budget.maxReps,
  };
  const script = fileURLToPath(new URL('src/torch_bench.py', packageRoot()));
  const run = spawnSync(PYTHON, [script], { input: JSON.stringify(job), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`bench: ${script} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout) as TorchMuon;
}

/** Every implementation at every size. */
export async function runMuon(
  sizes: number[],
  budget: Budget,
  tf: TfMatmul | null,
  torch: boolean,
  log: (line: string) => void,
): Promise<MuonResult> {
  const cases: MuonCase[] = sizes.map((size) => ({
    size,
    descent: {},
    products: {},
    tfjs: {},
    torch: {},
  }));
  for (const c of cases) {
    for (const mode of ['simd', 'simd-1'] as const) {
      const { timing, products } = timeMuonDescent(c.size, mode, budget);
      c.descent[mode] = timing;
      c.products[mode] = products;
    }
    log(
      `Muon ${c.size}: descent ${c.descent.simd!.best.toFixed(2)} ms, 1 thread ${c.descent['simd-1']!.best.toFixed(2)} ms`,
    );
  }
  let tfjsThreads: number | null = null;
  if (tf !== null) {
    // Asks XNNPACK for every core; it takes effect only if the backend has not started yet, and
    // under Node not at all: there tfjs-backend-wasm 4.22 says threads are unsupported (its
    // WASM_HAS_MULTITHREAD_SUPPORT flag is false in Node, tfjs issue #3830) and loads its
    // single-threaded SIMD binary. getThreadsCount says what it ran on.
    const backend = await import('@tensorflow/tfjs-backend-wasm');
    backend.setThreadsCount(cpus().length);
    for (const c of cases) c.tfjs.wasm = await timeMuonTfjs(tf, c.size, budget);
    tfjsThreads = backend.getThreadsCount();
    log(`Muon: TensorFlow.js wasm on ${tfjsThreads} thread(s)`);
  }
  const run = torch ? timeMuonTorch(sizes, budget) : null;
  for (const r of run?.results ?? []) {
    const c = cases.find((x) => x.size === r.size)!;
    const timing = { best: r.best, median: r.median, reps: r.reps };
    if (r.threads === 1) c.torch.one = timing;
    if (r.threads === run!.threads) c.torch.all = timing;
  }
  return {
    date: new Date().toISOString(),
    tfjsThreads,
    torchThreads: run?.threads ?? null,
    torchBlas: run?.blas ?? null,
    cases,
  };
}
