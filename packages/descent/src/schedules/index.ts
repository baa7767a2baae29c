export * from './book.js';
export * from './chained-scheduler.js';
export { CompositeScheduler } from './composite-scheduler.js';
export * from './constant-lr.js';
export * from './cosine-annealing-lr.js';
export * from './cosine-annealing-warm-restarts.js';
export * from './cyclic-lr.js';
export * from './exponential-lr.js';
export * from './hyperparameter-scheduler.js';
export { LambdaLR, type LambdaLROptions, type LrLambda } from './lambda-lr.js';
export * from './linear-lr.js';
export {
  LRScheduler,
  type MomentumKey,
  type SchedulableOptimizer,
  type SchedulerStateDict,
  type StateKinds,
} from './lr-scheduler.js';
export * from './multi-step-lr.js';
export * from './multiplicative-lr.js';
export * from './one-cycle-lr.js';
export * from './polynomial-lr.js';
export * from './pure/index.js';
export * from './reduce-lr-on-plateau.js';
export * from './sequential-lr.js';
export * from './step-lr.js';
export * from './swa-lr.js';
