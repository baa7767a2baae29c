import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OptimizerSpec, TfTrain } from './optimizers.js';
import { type Budget, measure, type Timing } from './timing.js';

export type TfBackend = 'cpu' | 'wasm';

interface Tensor {
  dispose(): void;
}
interface Variable extends Tensor {
  name: string;
}
interface TfOptimizer {
  applyGradients(grads: Record<string, Tensor>): void;
  dispose(): void;
}
interface Tf {
  train: TfTrain;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  variable(initial: Tensor): Variable;
  randomNormal(shape: number[]): Tensor;
  version_core: string;
  enableProdMode(): void;
}

/** Runs `f` with console.log and console.warn silenced: TensorFlow.js advertises tfjs-node. */
async function quietly<T>(f: () => Promise<T>): Promise<T> {
  const { log, warn } = console;
  console.log = () => {};
  console.warn = () => {};
  try {
    return await f();
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

/** TensorFlow.js (a dev dependency) with its cpu and wasm backends; null when not installed. */
export async function loadTfjs(): Promise<Tf | null> {
  try {
    return await quietly(async () => {
      const tf = (await import('@tensorflow/tfjs')) as unknown as Tf;
      // Its Node.js banner prints on the first tensor, after this returns, unless in production
      // mode; which also skips its debug checks, as a deployed page would.
      tf.enableProdMode();
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const require = createRequire(import.meta.url);
      const pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
      wasm.setWasmPaths(`${join(dirname(pkg), 'dist')}/`);
      return tf;
    });
  } catch {
    return null;
  }
}

/** Milliseconds per `applyGradients` of a tf.train optimizer on one float32 variable. */
export async function timeTfjs(
  tf: Tf,
  backend: TfBackend,
  spec: OptimizerSpec,
  size: number,
  budget: Budget,
): Promise<Timing> {
  if (!(await quietly(() => tf.setBackend(backend))) || tf.getBackend() !== backend) {
    throw new Error(`bench: TensorFlow.js backend ${backend} did not start`);
  }
  await tf.ready();
  const variable = tf.variable(tf.randomNormal([size]));
  const grad = tf.randomNormal([size]);
  const opt = spec.tfjs!(tf.train) as TfOptimizer;
  // The cpu and wasm backends run ops synchronously, so the call's time is the step's.
  const timing = measure(() => opt.applyGradients({ [variable.name]: grad }), budget);
  opt.dispose();
  variable.dispose();
  grad.dispose();
  return timing;
}
