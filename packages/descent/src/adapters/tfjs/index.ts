/**
 * descent/tfjs: descent's optimizers and schedulers for TensorFlow.js models. Needs
 * `@tensorflow/tfjs-core` (or `@tensorflow/tfjs`), an optional peer dependency of descent.
 *
 * Through the adapter an optimizer computes exactly what it computes on descent's own
 * parameters. Where tfjs's built-in optimizers differ from PyTorch's definitions (descent's):
 * - Adam: default epsilon 1e-7, not 1e-8; the bias corrections use β rounded to float32
 *   (1 − fl32(0.999) is 1.3e-5 off), so weights agree to about 1e-5, not to rounding.
 * - RMSprop: epsilon inside the square root, √(v + ε), where PyTorch has √v + ε; the learning
 *   rate is folded into the momentum buffer (the same while the rate is constant).
 * - Adagrad: the accumulator starts at 0.1 (PyTorch: 0) and the backend's epsilon, 1e-7, sits
 *   inside the square root, fixed.
 * - SGD and momentum (tfjs's MomentumOptimizer, Nesterov too): the same, to the last bit.
 *
 * @module descent/tfjs
 */
export * from './callback.js';
export * from './clip.js';
export * from './optimizer.js';
