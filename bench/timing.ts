/** How long each case runs: a few warm-up steps, then repetitions until a time budget is spent. */
export interface Budget {
  warmup: number;
  minReps: number;
  maxReps: number;
  budgetMs: number;
}

export const FULL: Budget = { warmup: 3, minReps: 5, maxReps: 200, budgetMs: 1000 };
export const QUICK: Budget = { warmup: 1, minReps: 2, maxReps: 2, budgetMs: 0 };

/** Milliseconds per call: the best repetition (the usual figure for bandwidth) and the median. */
export interface Timing {
  best: number;
  median: number;
  reps: number;
}

/**
 * Times `step`. Slow cases (a TensorFlow.js cpu step on 32M parameters takes seconds) stop after
 * one warm-up step and two repetitions once they have run for four budgets.
 */
export function measure(step: () => void, budget: Budget): Timing {
  const warmStart = performance.now();
  for (let i = 0; i < budget.warmup && performance.now() - warmStart <= budget.budgetMs; i++) {
    step();
  }
  const times: number[] = [];
  const start = performance.now();
  for (;;) {
    const elapsed = performance.now() - start;
    const enough = times.length >= budget.minReps && elapsed >= budget.budgetMs;
    const slow = times.length >= 2 && elapsed >= 4 * budget.budgetMs;
    if (times.length >= budget.maxReps || enough || slow) break;
    const t = performance.now();
    step();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { best: times[0], median: times[times.length >> 1], reps: times.length };
}

/** Bytes per second, in GB/s, for `bytes` moved in `ms` milliseconds. */
export function gbPerSecond(bytes: number, ms: number): number {
  return bytes / ms / 1e6;
}
