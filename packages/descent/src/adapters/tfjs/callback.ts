import { checkKnownOptions } from '../../core/validate.js';

/** A scheduler as descent's are: `step()`, or `step(metric)` for ReduceLROnPlateau. */
export interface Steppable {
  /** Advances the scheduler one step; `metric` is the monitored log, when there is one. */
  step(metric?: number): void;
}

/** A pure schedule: the learning rate at step or epoch t = 0, 1, 2, ... */
export type Schedule = (t: number) => number;

/** The options of {@link schedulerCallback}. */
export interface SchedulerCallbackOptions {
  /** Step after every epoch (the default) or after every batch. */
  every?: 'epoch' | 'batch';
  /** A log to pass to `step(metric)`, such as 'val_loss' for ReduceLROnPlateau. */
  monitor?: string;
  /** With a pure schedule: the optimizer (descent's or the adapter's) whose groups get its rate. */
  optimizer?: {
    /** The groups whose `lr` the schedule sets. */
    paramGroups: Record<string, unknown>[];
  };
}

/**
 * The logs tfjs passes to its hooks: the loss and metrics by name.
 *
 * @inline
 */
type Logs = Record<string, unknown>;

/** tfjs-layers' CustomCallbackArgs, the hooks `model.fit({ callbacks })` accepts as a plain object. */
export interface FitCallbacks {
  /** Called before each epoch (numbered from 0). */
  onEpochBegin?(epoch: number, logs?: Logs): void;
  /** Called after each epoch, with its logs (validation ones too). */
  onEpochEnd?(epoch: number, logs?: Logs): void;
  /** Called before each batch (numbered from 0 within the epoch). */
  onBatchBegin?(batch: number, logs?: Logs): void;
  /** Called after each batch, with its logs. */
  onBatchEnd?(batch: number, logs?: Logs): void;
}

/**
 * Hooks for `model.fit({ callbacks })` that step a descent scheduler after every epoch or batch,
 * as a PyTorch training loop calls `scheduler.step()`; with `monitor`, the log of that name is
 * passed, e.g. `schedulerCallback(new ReduceLROnPlateau(opt), { monitor: 'val_loss' })` where `opt`
 * is a `tfOptimizer` (or its `.optimizer`).
 *
 * Given a pure schedule `(t) => lr` and an `optimizer` instead, it sets every group's rate to
 * schedule(t) before epoch (or batch) t, counting from 0 at the first one this callback sees.
 *
 * The result is a plain object of hooks; beside `tf.Callback` instances, wrap it in
 * `new tf.CustomCallback(...)`.
 */
export function schedulerCallback(
  scheduler: Steppable | Schedule,
  options: SchedulerCallbackOptions = {},
): FitCallbacks {
  checkKnownOptions(options, ['every', 'monitor', 'optimizer'], 'schedulerCallback');
  const { every = 'epoch', monitor, optimizer } = options;
  if (every !== 'epoch' && every !== 'batch') {
    throw new RangeError(`Invalid every: ${JSON.stringify(every)} (expected 'epoch' or 'batch')`);
  }
  if (monitor !== undefined && typeof monitor !== 'string') {
    throw new TypeError(`Invalid monitor: ${String(monitor)} (expected the name of a log)`);
  }
  const [begin, end] =
    every === 'epoch'
      ? (['onEpochBegin', 'onEpochEnd'] as const)
      : (['onBatchBegin', 'onBatchEnd'] as const);
  if (typeof scheduler === 'function') {
    if (optimizer === undefined) {
      throw new TypeError(
        'Invalid optimizer: undefined (a pure schedule needs the optimizer to set)',
      );
    }
    let t = 0;
    return {
      [begin]: () => {
        const lr = scheduler(t);
        for (const group of optimizer.paramGroups) group.lr = lr;
      },
      [end]: () => {
        t += 1;
      },
    };
  }
  if (scheduler === null || typeof scheduler !== 'object' || typeof scheduler.step !== 'function') {
    throw new TypeError(
      `Invalid scheduler: ${String(scheduler)} (expected a descent scheduler or a schedule (t) => lr)`,
    );
  }
  return {
    [end]: (_: number, logs: Logs = {}) => {
      if (monitor === undefined) return scheduler.step();
      const value = logs[monitor];
      if (typeof value !== 'number') {
        throw new RangeError(
          `Invalid monitor: ${JSON.stringify(monitor)} is not among the logs at ${every} end (${Object.keys(logs).join(', ') || 'none'})`,
        );
      }
      scheduler.step(value);
    },
  };
}
