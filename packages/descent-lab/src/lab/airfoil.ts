import { readFileSync } from 'node:fs';
import { type FloatArray, Newton, type Param, param } from 'descent';
import type { Random } from './random.js';
import type { MakeOptimizer } from './trace.js';

/** A regression data set: `features` is rows × columns, row-major. */
export interface Dataset {
  features: Float64Array;
  targets: Float64Array;
  rows: number;
  columns: number;
}

/** The airfoil data shipped with descent (a fresh clone needs nothing else). */
const airfoilPath = new URL('../../data/airfoil_self_noise.tsv', import.meta.url);

/**
 * The chapter's airfoil set: every column standardized over all 1503 rows (mean 0, population
 * standard deviation 1), then the first 1500 rows kept; the last column is the target.
 */
export function loadAirfoil(path: URL | string = airfoilPath, keep = 1500): Dataset {
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/).slice(1);
  const table = lines.map((line, i) =>
    line.split('\t').map((cell) => {
      const value = Number(cell);
      if (cell.trim() === '' || !Number.isFinite(value)) {
        throw new TypeError(
          `Invalid number in ${String(path)}, row ${i + 2}: ${JSON.stringify(cell)}`,
        );
      }
      return value;
    }),
  );
  const width = table[0].length;
  for (let j = 0; j < width; j++) {
    let mean = 0;
    for (const row of table) mean += row[j] / table.length;
    let variance = 0;
    for (const row of table) variance += (row[j] - mean) ** 2 / table.length;
    const std = Math.sqrt(variance);
    for (const row of table) row[j] = (row[j] - mean) / std;
  }
  const rows = Math.min(keep, table.length);
  const columns = width - 1;
  const features = new Float64Array(rows * columns);
  const targets = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    features.set(table[i].slice(0, columns), i * columns);
    targets[i] = table[i][columns];
  }
  return { features, targets, rows, columns };
}

/** Writes the mean over `indices` of the gradient of (x·w + b − y)² / 2 into `w.grad`, `b.grad`. */
export function gradient(
  data: Dataset,
  indices: ArrayLike<number>,
  w: Param<FloatArray>,
  b: Param<FloatArray>,
): void {
  const { features, targets, columns } = data;
  const gw = w.grad;
  gw.fill(0);
  let gb = 0;
  for (let k = 0; k < indices.length; k++) {
    const row = indices[k];
    const offset = row * columns;
    let residual = b.data[0] - targets[row];
    for (let j = 0; j < columns; j++) residual += features[offset + j] * w.data[j];
    for (let j = 0; j < columns; j++) gw[j] += residual * features[offset + j];
    gb += residual;
  }
  const n = indices.length;
  for (let j = 0; j < columns; j++) gw[j] /= n;
  b.grad[0] = gb / n;
}

/** The chapter's loss, the mean of (ŷ − y)² / 2, over every row. */
export function squaredLoss(data: Dataset, w: ArrayLike<number>, b: number): number {
  let loss = 0;
  for (let i = 0; i < data.rows; i++) {
    let residual = b - data.targets[i];
    for (let j = 0; j < data.columns; j++) residual += data.features[i * data.columns + j] * w[j];
    loss += residual * residual;
  }
  return loss / (2 * data.rows);
}

export interface TrainOptions {
  optimizer: MakeOptimizer;
  batchSize: number;
  epochs: number;
  random: Random;
  /** Records the loss over all rows every this many examples (the chapter: 200). */
  recordEvery?: number;
  /** Called after each minibatch with the examples seen so far and the total. */
  onProgress?(examples: number, total: number): void;
  /**
   * Restores a run saved by `onEpoch` into the fresh model (its parameters and the optimizer's
   * state) and says where it stopped; null to start afresh. The shuffles of the epochs done are
   * replayed, so the run goes on exactly as it would have.
   */
  resume?(model: Model): TrainProgress | null;
  /** Called after each epoch: where a run saves itself. */
  onEpoch?(progress: TrainProgress, model: Model): void;
}

/** The model being trained: weights, bias and their optimizer. */
export interface Model {
  w: Param;
  b: Param;
  optimizer: ReturnType<MakeOptimizer>;
}

/** How far a run has gone: epochs and examples done, training time, the curve so far. */
export interface TrainProgress {
  epoch: number;
  examples: number;
  seconds: number;
  curve: CurvePoint[];
}

export interface CurvePoint {
  /** Epochs completed (examples seen / rows). */
  epoch: number;
  /** Loss over all rows. */
  loss: number;
  /** Training time so far, evaluation excluded, as the chapter's timer does. */
  seconds: number;
}

export interface TrainResult {
  curve: CurvePoint[];
  finalLoss: number;
  secondsPerEpoch: number;
  weights: number[];
  bias: number;
}

/**
 * The chapter's `train_ch11` with one of descent's optimizers: linear regression from
 * w ~ N(0, 0.01²), b = 0, shuffled minibatches each epoch.
 */
export function trainLinearRegression(data: Dataset, options: TrainOptions): TrainResult {
  const { batchSize, epochs, random, recordEvery = 200 } = options;
  const w = param(data.columns, { dtype: 'float64', name: 'w' });
  for (let j = 0; j < data.columns; j++) w.data[j] = 0.01 * random.normal();
  const b = param(1, { dtype: 'float64', name: 'b' });
  const optimizer = options.optimizer([w, b]);
  const model: Model = { w, b, optimizer };
  const order = new Uint32Array(data.rows);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const curve: CurvePoint[] = [];
  const total = epochs * data.rows;
  let examples = 0;
  let seconds = 0;
  let done = 0;
  const resumed = options.resume?.(model) ?? null;
  if (resumed !== null) {
    ({ examples, seconds } = resumed);
    curve.push(...resumed.curve);
    done = resumed.epoch;
    for (let epoch = 0; epoch < done; epoch++) random.shuffle(order);
    options.onProgress?.(examples, total);
  }
  for (let epoch = done; epoch < epochs; epoch++) {
    random.shuffle(order);
    for (let start = 0; start < data.rows; start += batchSize) {
      const began = performance.now();
      const batch = order.subarray(start, Math.min(start + batchSize, data.rows));
      gradient(data, batch, w, b);
      optimizer.step();
      seconds += (performance.now() - began) / 1000;
      const before = examples;
      examples += batch.length;
      if (Math.floor(examples / recordEvery) > Math.floor(before / recordEvery)) {
        curve.push({
          epoch: examples / data.rows,
          loss: squaredLoss(data, w.data, b.data[0]),
          seconds,
        });
      }
      options.onProgress?.(examples, total);
    }
    options.onEpoch?.({ epoch: epoch + 1, examples, seconds, curve }, model);
  }
  return {
    curve,
    finalLoss: squaredLoss(data, w.data, b.data[0]),
    secondsPerEpoch: seconds / epochs,
    weights: Array.from(w.data),
    bias: b.data[0],
  };
}

/**
 * The linear model with the least loss over the whole data set, where every airfoil run is
 * heading: one step of descent's own Newton method from θ = 0 on the loss ½‖[X 1]θ − y‖², whose
 * gradient there is g = −[X 1]ᵀy and whose Hessian is the Gram matrix H = [X 1]ᵀ[X 1] (positive
 * definite for standardized features), so the step lands on the solution of the normal
 * equations, θ = H⁻¹[X 1]ᵀy.
 */
export function leastSquares(data: Dataset): { weights: number[]; bias: number; loss: number } {
  const n = data.columns + 1;
  const gram = new Float64Array(n * n);
  const theta = param(n, { dtype: 'float64' });
  const row = new Float64Array(n);
  for (let i = 0; i < data.rows; i++) {
    row.set(data.features.subarray(i * data.columns, (i + 1) * data.columns));
    row[n - 1] = 1;
    for (let j = 0; j < n; j++) {
      theta.grad[j] -= row[j] * data.targets[i];
      for (let k = 0; k < n; k++) gram[j * n + k] += row[j] * row[k];
    }
  }
  try {
    new Newton([theta], { hessian: () => gram }).step();
  } catch (cause) {
    throw new RangeError('leastSquares: the features are linearly dependent', { cause });
  }
  const weights = Array.from(theta.data.subarray(0, n - 1));
  const bias = theta.data[n - 1];
  return { weights, bias, loss: squaredLoss(data, weights, bias) };
}
