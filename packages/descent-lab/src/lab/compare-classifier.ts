import type { OptionValue } from 'descent';
import { type OptimizerOrName, tfOptimizer } from 'descent/tfjs';
import { type FashionMnist, loadFashionMnist } from '../data/fashion-mnist.js';
import { syntheticImages } from '../data/synthetic-images.js';
import {
  type EpochRecord,
  type ImageSplits,
  trainClassifier,
  useWasmBackend,
} from './classifier.js';
import { type CompareOptions, float32Base, resolveComparison, writeReport } from './compare.js';
import * as format from './format.js';
import { registerExplicitTranspose } from './matmul-transposed.js';
import { mlp, mlpHidden } from './mlp.js';
import { lineChart } from './plot.js';
import { createRandom } from './random.js';

/**
 * `descent compare --task fashion-mnist` and `--task synthetic`: the MLP of mlp.ts trained with
 * each optimizer through descent's tfjs adapter, on Fashion-MNIST or on the synthetic set of
 * ../data/synthetic-images.ts. Every run starts from the same weights and sees the same
 * minibatches (both drawn from the seed), so the runs differ by the optimizer alone; with
 * `stateDtypes`, by the storage of its state alone. The data is never chosen silently: the
 * fashion-mnist task fails when the data set is absent, naming the synthetic task.
 */

export type ClassifierTask = 'fashion-mnist' | 'synthetic';

export const classifierTasks: readonly ClassifierTask[] = ['fashion-mnist', 'synthetic'];

export interface ClassifierCompareOptions
  extends Pick<
    CompareOptions,
    'optimizers' | 'lr' | 'set' | 'stateDtypes' | 'epochs' | 'batchSize' | 'seed'
  > {
  task: ClassifierTask;
  /** Fashion-MNIST's directory; default: Debian's package (see ../data/fashion-mnist.ts). */
  fashionMnist?: string;
  /** Train on the first `trainSize` training images only; default all (synthetic: 10,000). */
  trainSize?: number;
  onStart?(name: string, total: number): void;
  onProgress?(name: string, done: number, total: number): void;
  onResult?(name: string, result: ClassifierResult, diverged: boolean): void;
}

/** One optimizer's run: the final test accuracy and loss, and each epoch's records. */
export interface ClassifierResult {
  kind: 'classifier';
  optimizer: string;
  settings: Record<string, OptionValue>;
  testAccuracy: number;
  testLoss: number;
  records: EpochRecord[];
  secondsPerEpoch: number;
  seed: number;
}

export interface ClassifierComparison {
  task: ClassifierTask;
  seed: number;
  /** What was trained on, for the report: "Fashion-MNIST (/usr/share/...), 60000 training ...". */
  data: string;
  /**
   * Each optimizer's run. One that `diverged` ended with a test loss that is not finite or above
   * ln 10, the loss of guessing every class alike: its numbers compare nothing.
   */
  runs: { name: string; title: string; result: ClassifierResult; diverged: boolean }[];
}

/** The synthetic task's split sizes: big enough for 0.05-point steps of test accuracy. */
const syntheticTrain = 10_000;
const syntheticTest = 2_000;

/**
 * The images a task trains on, and a line saying what they are. Fashion-MNIST's absence is an
 * error (FashionMnistError, its message naming how to get it), never a silent switch of data.
 */
export function classifierData(
  options: Pick<ClassifierCompareOptions, 'task' | 'fashionMnist' | 'trainSize' | 'seed'>,
): { data: ImageSplits; about: string } {
  const { trainSize } = options;
  if (trainSize !== undefined && !(Number.isInteger(trainSize) && trainSize >= 1)) {
    throw new RangeError(`Invalid trainSize: ${trainSize} (expected an integer >= 1)`);
  }
  if (options.task === 'synthetic') {
    const seed = options.seed ?? 0;
    const data = syntheticImages({ seed, train: trainSize ?? syntheticTrain, test: syntheticTest });
    return {
      data,
      about: `synthetic images (src/data/synthetic-images.ts, seed ${seed}), ${data.train.count} training and ${data.test.count} test images`,
    };
  }
  const full: FashionMnist = loadFashionMnist(options.fashionMnist);
  const count = Math.min(trainSize ?? full.train.count, full.train.count);
  const size = full.train.rows * full.train.cols;
  const train = {
    ...full.train,
    count,
    images: full.train.images.subarray(0, count * size),
    labels: full.train.labels.subarray(0, count),
  };
  const subset = count < full.train.count ? `the first ${count} of its` : `its ${count}`;
  return {
    data: { train, test: full.test },
    about: `Fashion-MNIST (${full.dir}), ${subset} training images, its ${full.test.count} test images`,
  };
}

/** The classifier tasks' default minibatch, the book's for LeNet. */
export const classifierBatchSize = 256;

/**
 * Trains the MLP once per optimizer (and state dtype) on `images` (default: the task's, see
 * `classifierData`), every run from the same weights through the same minibatches. Checks every
 * optimizer and option before training.
 */
export async function compareClassifiers(
  options: ClassifierCompareOptions,
  images?: { data: ImageSplits; about: string },
): Promise<ClassifierComparison> {
  const resolved = resolveComparison(options);
  const seed = options.seed ?? 0;
  const epochs = options.epochs ?? 2;
  const batchSize = options.batchSize ?? classifierBatchSize;
  const { data, about } = images ?? classifierData(options);
  await useWasmBackend();
  registerExplicitTranspose('wasm');
  const runs: ClassifierComparison['runs'] = [];
  for (const optimizer of resolved) {
    const random = createRandom(seed, 'compare-mlp');
    options.onStart?.(optimizer.name, epochs * data.train.count);
    const records = await trainClassifier(data, {
      model: mlp(random),
      optimizer: tfOptimizer(optimizer.className as OptimizerOrName, optimizer.settings as never),
      epochs,
      batchSize,
      random,
      onProgress: (done, total) => options.onProgress?.(optimizer.name, done, total),
    });
    const last = records[records.length - 1];
    const result: ClassifierResult = {
      kind: 'classifier',
      optimizer: optimizer.className,
      settings: { ...optimizer.settings, batchSize, epochs },
      testAccuracy: last.testAcc,
      testLoss: last.testLoss,
      records,
      secondsPerEpoch: records.reduce((sum, r) => sum + r.trainSeconds, 0) / records.length,
      seed,
    };
    const diverged = !(last.testLoss <= Math.log(10));
    options.onResult?.(optimizer.name, result, diverged);
    runs.push({
      name: optimizer.name,
      title: `${optimizer.className}, lr ${format.short(Number(optimizer.settings.lr ?? Number.NaN))}`,
      result,
      diverged,
    });
  }
  return { task: options.task, seed, data: about, runs };
}

/** Test accuracy in percent, two decimals: "88.41%". */
const percent = (accuracy: number): string => `${(100 * accuracy).toFixed(2)}%`;

/**
 * A run's test accuracy against its float32-state run's, in percentage points ("+0.15",
 * "−0.40"), "—" without one (see `float32Base`).
 */
function pointsAgainstFloat32(
  comparison: ClassifierComparison,
  run: ClassifierComparison['runs'][number],
): string {
  const base = float32Base(comparison.runs, run);
  if (base === undefined) return '—';
  const points = 100 * (run.result.testAccuracy - base.result.testAccuracy);
  return `${points >= 0 ? '+' : '−'}${Math.abs(points).toFixed(2)}`;
}

export function classifierTable(comparison: ClassifierComparison): {
  head: string[];
  rows: string[][];
} {
  const byDtype = comparison.runs.some((run) => run.result.settings.stateDtype !== undefined);
  return {
    head: [
      'optimizer',
      'settings',
      'test accuracy',
      'test loss',
      ...(byDtype ? ['vs float32 state (points)'] : []),
      'seconds per epoch',
    ],
    rows: comparison.runs.map((run) => [
      run.name,
      format.settings(run.result.settings),
      run.diverged ? 'diverged' : percent(run.result.testAccuracy),
      run.diverged ? format.short(run.result.testLoss) : run.result.testLoss.toFixed(4),
      ...(byDtype ? [pointsAgainstFloat32(comparison, run)] : []),
      format.short(run.result.secondsPerEpoch),
    ]),
  };
}

/** Writes the test accuracy against epochs (SVG), compare.md and results.json. */
export function writeClassifierComparison(
  dir: string,
  comparison: ClassifierComparison,
): Promise<string[]> {
  const runs = Object.fromEntries(
    comparison.runs.map((r) => [r.name, { ...r.result, diverged: r.diverged }]),
  );
  const title = `MLP (784 → ${mlpHidden} → 10): test accuracy after each epoch`;
  const figure = {
    id: 'compare-test-accuracy',
    title,
    spec: lineChart({
      title,
      subtitle: `${comparison.data}, seed ${comparison.seed}`,
      x: { title: 'epoch' },
      y: { title: 'test accuracy' },
      series: comparison.runs.map((r) => ({
        name: `${r.name}: ${percent(r.result.testAccuracy)}`,
        points: r.result.records.map((record, epoch) => [epoch + 1, record.testAcc] as const),
        style: 'line+points' as const,
      })),
    }),
  };
  return writeReport(dir, {
    task: comparison.task,
    about: `An MLP (784 → ${mlpHidden} → ReLU → 10) through descent's tfjs adapter, on ${comparison.data}; seed ${comparison.seed}, the same initial weights and minibatches for every run.`,
    figures: [figure],
    table: classifierTable(comparison),
    json: { task: comparison.task, seed: comparison.seed, data: comparison.data, runs },
  });
}
