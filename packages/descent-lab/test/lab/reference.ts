/**
 * Independent float64 references for the lab's tests: the update rules of the book's
 * from-scratch code (Dive into Deep Learning, chapter "Optimization Algorithms"), written here
 * from the book and /work/shared/chapter12.md rather than from src/, on plain numbers.
 *
 * Where descent follows PyTorch and the book does not, the rule takes the placement as a
 * parameter: the book's AdaGrad and RMSProp put ε inside the square root, η g / √(s + ε), and
 * PyTorch (so descent) outside, η g / (√s + ε).
 */
import { readFileSync } from 'node:fs';
import type { Random } from '../../src/lab/random.js';

/** Where ε goes: the book's √(s + ε), or PyTorch's √s + ε. */
export type EpsPlacement = 'inside' | 'outside';

const root = (s: number, eps: number, placement: EpsPlacement): number =>
  placement === 'inside' ? Math.sqrt(s + eps) : Math.sqrt(s) + eps;

/** x_0, then x_t = update(x_{t−1}) for t = 1..steps. */
export function iterate1d(x0: number, steps: number, update: (x: number) => number): number[] {
  const path = [x0];
  for (let t = 1; t <= steps; t++) path.push(update(path[t - 1]));
  return path;
}

/** One coordinate's rule: the new x from x, its gradient g, the coordinate's state and t. */
export type Rule2d = (x: number, g: number, state: Record<string, number>, t: number) => number;

export interface Iterate2dOptions {
  steps?: number;
  /** Learning rate at step t = 1, 2, ... for rules that take it from here (`scheduledGd`). */
  lr?: (t: number) => number;
  /** The gradient noise of section 12.4: called for g1's noise, then g2's, at every step. */
  noise?: () => number;
}

/**
 * The book's `train_2d` on f = a1 x1² + a2 x2² from (−5, −2): the exact gradient
 * (2 a1 x1, 2 a2 x2), plus the noise when given, then each coordinate's rule.
 */
export function iterate2d(
  a1: number,
  a2: number,
  rule: Rule2d,
  { steps = 20, noise }: Iterate2dOptions = {},
): [number, number][] {
  let x: [number, number] = [-5, -2];
  const state: [Record<string, number>, Record<string, number>] = [{}, {}];
  const path: [number, number][] = [x];
  for (let t = 1; t <= steps; t++) {
    const g = [2 * a1 * x[0], 2 * a2 * x[1]];
    if (noise !== undefined) {
      g[0] += noise();
      g[1] += noise();
    }
    x = [rule(x[0], g[0], state[0], t), rule(x[1], g[1], state[1], t)];
    path.push(x);
  }
  return path;
}

export const rules = {
  /** x ← x − η g. */
  gd:
    (eta: number): Rule2d =>
    (x, g) =>
      x - eta * g,
  /** x ← x − η_t g, η_t given per step (section 12.4). */
  scheduledGd:
    (lr: (t: number) => number): Rule2d =>
    (x, g, _s, t) =>
      x - lr(t) * g,
  /** The book's momentum_2d: v ← β v + g, x ← x − η v (v_0 = 0). */
  momentum:
    (eta: number, beta: number): Rule2d =>
    (x, g, s) => {
      s.v = beta * (s.v ?? 0) + g;
      return x - eta * s.v;
    },
  /** The book's adagrad_2d: s ← s + g², x ← x − η g / root(s). */
  adagrad:
    (eta: number, eps: number, placement: EpsPlacement): Rule2d =>
    (x, g, s) => {
      s.s = (s.s ?? 0) + g * g;
      return x - (eta / root(s.s, eps, placement)) * g;
    },
  /** The book's rmsprop_2d: s ← γ s + (1 − γ) g², x ← x − η g / root(s). */
  rmsprop:
    (eta: number, gamma: number, eps: number, placement: EpsPlacement): Rule2d =>
    (x, g, s) => {
      s.s = gamma * (s.s ?? 0) + (1 - gamma) * g * g;
      return x - (eta / root(s.s, eps, placement)) * g;
    },
};

// ---- The airfoil experiments ----

export interface AirfoilData {
  /** 1500 rows of 5 standardized features. */
  x: number[][];
  y: number[];
}

/**
 * The chapter's airfoil set from the raw file: every column standardized over all 1503 rows
 * (mean 0, population standard deviation 1), then the first 1500 rows kept.
 */
export function airfoilData(): AirfoilData {
  const text = readFileSync(new URL('../../data/airfoil_self_noise.tsv', import.meta.url), 'utf8');
  const rows = text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t').map(Number));
  const columns = rows[0].length;
  for (let j = 0; j < columns; j++) {
    const mean = rows.reduce((s, r) => s + r[j], 0) / rows.length;
    const std = Math.sqrt(rows.reduce((s, r) => s + (r[j] - mean) ** 2, 0) / rows.length);
    for (const r of rows) r[j] = (r[j] - mean) / std;
  }
  const kept = rows.slice(0, 1500);
  return { x: kept.map((r) => r.slice(0, columns - 1)), y: kept.map((r) => r[columns - 1]) };
}

/** The chapter's loss over every row: the mean of (x·w + b − y)² / 2. */
export function airfoilLoss(data: AirfoilData, theta: readonly number[]): number {
  const n = theta.length - 1;
  let sum = 0;
  data.x.forEach((row, i) => {
    const residual = row.reduce((s, v, j) => s + v * theta[j], theta[n]) - data.y[i];
    sum += residual * residual;
  });
  return sum / (2 * data.y.length);
}

/**
 * One step of an elementwise rule over θ = (w1..w5, b), in place: the gradient g, the step
 * count t (1 on the first step) and per-element state arrays the rule creates on first use.
 */
export type AirfoilRule = (
  theta: number[],
  g: readonly number[],
  t: number,
  state: Record<string, number[]>,
) => void;

const zeros = (state: Record<string, number[]>, key: string, n: number): number[] => {
  state[key] ??= new Array<number>(n).fill(0);
  return state[key];
};

/** The book's from-scratch optimizers of 12.5–12.10 (its `sgd`, `sgd_momentum`, ...), per element. */
export const airfoilRules = {
  /** p ← p − η g. */
  sgd:
    (lr: number): AirfoilRule =>
    (theta, g) => {
      for (let i = 0; i < theta.length; i++) theta[i] -= lr * g[i];
    },
  /** v ← β v + g, p ← p − η v. */
  momentum:
    (lr: number, beta: number): AirfoilRule =>
    (theta, g, _t, state) => {
      const v = zeros(state, 'v', theta.length);
      for (let i = 0; i < theta.length; i++) {
        v[i] = beta * v[i] + g[i];
        theta[i] -= lr * v[i];
      }
    },
  /** s ← s + g², p ← p − η g / root(s). */
  adagrad:
    (lr: number, eps: number, placement: EpsPlacement): AirfoilRule =>
    (theta, g, _t, state) => {
      const s = zeros(state, 's', theta.length);
      for (let i = 0; i < theta.length; i++) {
        s[i] += g[i] * g[i];
        theta[i] -= (lr * g[i]) / root(s[i], eps, placement);
      }
    },
  /** s ← γ s + (1 − γ) g², p ← p − η g / root(s). */
  rmsprop:
    (lr: number, gamma: number, eps: number, placement: EpsPlacement): AirfoilRule =>
    (theta, g, _t, state) => {
      const s = zeros(state, 's', theta.length);
      for (let i = 0; i < theta.length; i++) {
        s[i] = gamma * s[i] + (1 - gamma) * g[i] * g[i];
        theta[i] -= (lr * g[i]) / root(s[i], eps, placement);
      }
    },
  /**
   * s ← ρ s + (1 − ρ) g², g′ ← √((Δ + ε) / (s + ε)) g, p ← p − lr g′, Δ ← ρ Δ + (1 − ρ) g′²
   * (the book's has no lr: PyTorch's lr = 1 is its form).
   */
  adadelta:
    (lr: number, rho: number, eps: number): AirfoilRule =>
    (theta, g, _t, state) => {
      const s = zeros(state, 's', theta.length);
      const delta = zeros(state, 'delta', theta.length);
      for (let i = 0; i < theta.length; i++) {
        s[i] = rho * s[i] + (1 - rho) * g[i] * g[i];
        const update = (Math.sqrt(delta[i] + eps) / Math.sqrt(s[i] + eps)) * g[i];
        theta[i] -= lr * update;
        delta[i] = rho * delta[i] + (1 - rho) * update * update;
      }
    },
  /**
   * v ← β1 v + (1 − β1) g, s ← β2 s + (1 − β2) g² (Adam) or s ← s + (1 − β2) sign(g² − s) g²
   * (Yogi), then p ← p − η v̂ / (√ŝ + ε) with v̂ = v / (1 − β1ᵗ), ŝ = s / (1 − β2ᵗ).
   */
  adamFamily:
    (kind: 'adam' | 'yogi', lr: number, beta1: number, beta2: number, eps: number): AirfoilRule =>
    (theta, g, t, state) => {
      const v = zeros(state, 'v', theta.length);
      const s = zeros(state, 's', theta.length);
      for (let i = 0; i < theta.length; i++) {
        const g2 = g[i] * g[i];
        v[i] = beta1 * v[i] + (1 - beta1) * g[i];
        s[i] =
          kind === 'adam'
            ? beta2 * s[i] + (1 - beta2) * g2
            : s[i] + (1 - beta2) * Math.sign(g2 - s[i]) * g2;
        const vHat = v[i] / (1 - beta1 ** t);
        const sHat = s[i] / (1 - beta2 ** t);
        theta[i] -= (lr * vHat) / (Math.sqrt(sHat) + eps);
      }
    },
};

export interface AirfoilReference {
  /** The loss over all rows after every 200 examples, at epochs = examples / 1500. */
  curve: { epoch: number; loss: number }[];
  finalLoss: number;
}

/**
 * The book's `train_ch11` in float64: w ~ N(0, 0.01²) (5 draws of `random`), b = 0, then per
 * epoch a shuffle of the rows and minibatches in that order, the gradient of the mean loss of
 * each. `random` is the lab's seeded stream, so the draws and the order are the lab's.
 */
export function trainAirfoilReference(
  data: AirfoilData,
  rule: AirfoilRule,
  { batchSize, epochs, random }: { batchSize: number; epochs: number; random: Random },
): AirfoilReference {
  const rows = data.y.length;
  const columns = data.x[0].length;
  const theta = [...Array.from({ length: columns }, () => 0.01 * random.normal()), 0];
  const state: Record<string, number[]> = {};
  const order = Uint32Array.from({ length: rows }, (_, i) => i);
  const curve: AirfoilReference['curve'] = [];
  let examples = 0;
  let t = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    random.shuffle(order);
    for (let start = 0; start < rows; start += batchSize) {
      const batch = order.subarray(start, Math.min(start + batchSize, rows));
      const g = new Array<number>(columns + 1).fill(0);
      for (const i of batch) {
        const row = data.x[i];
        const residual = row.reduce((s, v, j) => s + v * theta[j], theta[columns]) - data.y[i];
        for (let j = 0; j < columns; j++) g[j] += residual * row[j];
        g[columns] += residual;
      }
      for (let j = 0; j <= columns; j++) g[j] /= batch.length;
      rule(theta, g, ++t, state);
      const before = examples;
      examples += batch.length;
      if (Math.floor(examples / 200) > Math.floor(before / 200)) {
        curve.push({ epoch: examples / rows, loss: airfoilLoss(data, theta) });
      }
    }
  }
  return { curve, finalLoss: airfoilLoss(data, theta) };
}
