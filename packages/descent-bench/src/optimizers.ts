/**
 * The optimizers the benchmark times, with the float32 bytes one step moves per parameter
 * element: each array read counts 4 and each array written 4 more (p, g, m, v read and p, m, v
 * written make Adam's 28), the traffic a fused kernel cannot avoid. An array written without
 * being read counts 4 more again: the processor reads a cache line before it writes into it
 * (write-allocate), and WebAssembly has no streaming stores to avoid that. The reference
 * rewrites an array it has read and pays no such read. (Checked in C on the benchmark's machine,
 * 32M float32: p ← 0.999·p − 0.01·g with ax ← p took 13.0–13.8 ms, with ax ← ax + (p − ax)/2,
 * which reads ax, 13.8–14.3 ms; p ← 0.999·p − 0.01·g alone 8.9 ms.)
 */
export interface OptimizerSpec {
  /** The name in the tables. */
  name: string;
  /** descent's class, and its options. */
  descent: string;
  options: Record<string, unknown>;
  bytes: number;
  /**
   * Calls into WebAssembly per step, one per pass over its tensors: 2 or 3 for an optimizer whose
   * step needs sums over whole tensors first (LAMB's trust ratio, Prodigy's d, Adafactor's
   * factors and norms); 1 when absent.
   */
  passes?: number;
  /** torch.optim's class and keyword arguments, when PyTorch has it. */
  torch?: { name: string; options: Record<string, unknown> };
  /** tf.train's factory, when TensorFlow.js has it: (tf.train) => optimizer. */
  tfjs?: (train: TfTrain) => unknown;
  /**
   * The shape descent's parameter of `size` elements takes, for an optimizer that treats a
   * matrix as one (Adafactor); flat when absent.
   */
  shape?: (size: number) => number[];
}

/** The squarest matrix of `size` elements: m × n with m the largest divisor up to √size. */
export function squarest(size: number): number[] {
  let m = Math.floor(Math.sqrt(size));
  while (size % m !== 0) m--;
  return [m, size / m];
}

/** The part of tf.train the benchmark calls. */
export interface TfTrain {
  sgd(lr: number): unknown;
  momentum(lr: number, momentum: number): unknown;
  adam(lr: number, beta1: number, beta2: number, eps: number): unknown;
  rmsprop(lr: number, decay: number, momentum: number, eps: number): unknown;
  adagrad(lr: number): unknown;
  adadelta(lr: number, rho: number, eps: number): unknown;
  adamax(lr: number, beta1: number, beta2: number, eps: number): unknown;
}

export const optimizers: OptimizerSpec[] = [
  {
    name: 'SGD',
    descent: 'SGD',
    options: { lr: 1e-3 },
    bytes: 12,
    torch: { name: 'SGD', options: { lr: 1e-3 } },
    tfjs: (train) => train.sgd(1e-3),
  },
  {
    name: 'SGD momentum',
    descent: 'SGD',
    options: { lr: 1e-3, momentum: 0.9 },
    bytes: 20,
    torch: { name: 'SGD', options: { lr: 1e-3, momentum: 0.9 } },
    tfjs: (train) => train.momentum(1e-3, 0.9),
  },
  {
    name: 'Adam',
    descent: 'Adam',
    options: {},
    bytes: 28,
    torch: { name: 'Adam', options: {} },
    tfjs: (train) => train.adam(1e-3, 0.9, 0.999, 1e-8),
  },
  {
    name: 'AdamW',
    descent: 'AdamW',
    options: {},
    bytes: 28,
    torch: { name: 'AdamW', options: {} },
  },
  {
    name: 'Adam amsgrad',
    descent: 'Adam',
    options: { amsgrad: true },
    bytes: 36,
    torch: { name: 'Adam', options: { amsgrad: true } },
  },
  {
    name: 'RMSprop',
    descent: 'RMSprop',
    options: {},
    bytes: 20,
    torch: { name: 'RMSprop', options: {} },
    tfjs: (train) => train.rmsprop(1e-2, 0.99, 0, 1e-8),
  },
  {
    name: 'RMSprop centered momentum',
    descent: 'RMSprop',
    options: { centered: true, momentum: 0.9 },
    bytes: 36,
    torch: { name: 'RMSprop', options: { centered: true, momentum: 0.9 } },
  },
  {
    name: 'Adagrad',
    descent: 'Adagrad',
    options: {},
    bytes: 20,
    torch: { name: 'Adagrad', options: {} },
    tfjs: (train) => train.adagrad(1e-2),
  },
  {
    name: 'Adadelta',
    descent: 'Adadelta',
    options: {},
    bytes: 28,
    torch: { name: 'Adadelta', options: {} },
    tfjs: (train) => train.adadelta(1, 0.9, 1e-6),
  },
  {
    name: 'Adamax',
    descent: 'Adamax',
    options: {},
    bytes: 28,
    torch: { name: 'Adamax', options: {} },
    tfjs: (train) => train.adamax(2e-3, 0.9, 0.999, 1e-8),
  },
  {
    name: 'NAdam',
    descent: 'NAdam',
    options: {},
    bytes: 28,
    torch: { name: 'NAdam', options: {} },
  },
  {
    name: 'RAdam',
    descent: 'RAdam',
    options: {},
    bytes: 28,
    torch: { name: 'RAdam', options: {} },
  },
  { name: 'Yogi', descent: 'Yogi', options: {}, bytes: 28 },
  // θ and m read and written, g read: 20 bytes a float32 element, as SGD with momentum.
  { name: 'Lion', descent: 'Lion', options: {}, bytes: 20 },
  // Moments in bfloat16 (stateDtype): 2 bytes each way instead of 4.
  {
    name: 'SGD momentum bfloat16',
    descent: 'SGD',
    options: { lr: 1e-3, momentum: 0.9, stateDtype: 'bfloat16' },
    bytes: 16,
  },
  { name: 'Adam bfloat16', descent: 'Adam', options: { stateDtype: 'bfloat16' }, bytes: 20 },
  {
    name: 'Adam bfloat16 stochastic',
    descent: 'Adam',
    options: { stateDtype: 'bfloat16', stochasticRounding: true },
    bytes: 20,
  },
  // Moments in 8 bits (stateDtype int8): 1 byte each way, and a float32 scale per 256 elements
  // (0.03 bytes a moment), which the bytes leave out.
  {
    name: 'SGD momentum int8',
    descent: 'SGD',
    options: { lr: 1e-3, momentum: 0.9, stateDtype: 'int8' },
    bytes: 14,
  },
  { name: 'Adam int8', descent: 'Adam', options: { stateDtype: 'int8' }, bytes: 16 },
  // θ and z read and written, g read; AdamW's v read and written too.
  { name: 'Schedule-Free SGD', descent: 'ScheduleFreeSGD', options: {}, bytes: 20 },
  { name: 'Schedule-Free AdamW', descent: 'ScheduleFreeAdamW', options: {}, bytes: 28 },
  // Two passes (the trust ratio needs the whole tensor's norms first): θ, g, m, v read and m, v
  // written (24), then θ, m, v read and θ written (16).
  { name: 'LAMB', descent: 'LAMB', options: {}, bytes: 40, passes: 2 },
  // Two passes (d needs sums over every tensor first): θ, g, θ₀, s, m, v read and s, m, v written
  // (36), then θ, m, v read and θ written (16).
  { name: 'Prodigy', descent: 'Prodigy', options: {}, bytes: 52, passes: 2 },
  {
    name: 'Rprop',
    descent: 'Rprop',
    options: {},
    bytes: 28,
    torch: { name: 'Rprop', options: {} },
  },
  {
    // Until step t0 (default 10⁶) the average is a copy of the parameter: ax is written, not
    // read, which still costs a read of each of its cache lines (write-allocate).
    name: 'ASGD',
    descent: 'ASGD',
    options: {},
    bytes: 20,
    torch: { name: 'ASGD', options: {} },
  },
  {
    // A matrix, its second moment factored, in three passes (assembly/adafactor.ts): g read for
    // the row means and again for the column means (8); θ and g read for the sums of θ² and U²
    // (8); θ and g read and θ written by the step (12). The row and column factors, m + n
    // numbers, stay in cache. No torch entry: torch.optim.Adafactor is PyTorch 2.5's, and the
    // benchmark's is 1.13.
    name: 'Adafactor',
    descent: 'Adafactor',
    options: {},
    bytes: 28,
    shape: squarest,
    passes: 3,
  },
];
