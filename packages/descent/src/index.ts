/**
 * descent (`import … from 'descent'`): optimizers and learning-rate schedules for deep learning,
 * with PyTorch's names, defaults and semantics, stepped by fused WebAssembly SIMD kernels.
 *
 * - Parameters: {@link param} makes them (`{ data, grad, name }`, float32 or float64).
 * - Optimizers: {@link SGD}, {@link Adam}, {@link AdamW}, … (the base class is {@link Optimizer}):
 *   `new Adam(params, { lr })`, then `optimizer.step()` after each gradient.
 * - Schedulers, PyTorch's ({@link LRScheduler} and {@link ReduceLROnPlateau}), attached to an
 *   optimizer; pure schedules `(step) => value` ({@link Schedule}) and
 *   {@link HyperparameterScheduler} to apply them to any hyperparameter.
 * - What each optimizer and schedule takes: {@link optimizerSpecs}, {@link scheduleSpecs}
 *   (every option's default, range, scale and reference name), as `Adam.spec`, `cosineDecay.spec`.
 * - The WebAssembly kernels' settings: {@link configureSimd}, {@link simdInfo}.
 *
 * It imports no package; on Node, its `node` entry also runs large steps on worker threads.
 *
 * @module descent
 */
export * from './core/param.js';
export type { Json } from './core/serialize.js';
export * from './core/spec.js';
// For the did-you-mean of programs built on descent (its command line among them), as its own
// errors have: "Unknown option betass for Adam (did you mean betas?)".
export { closestName } from './core/validate.js';
export * from './kernels/wasm/index.js';
export * from './optim/index.js';
export * from './schedules/index.js';
