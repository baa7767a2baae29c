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
 * Milliseconds taken by each repetition of `step`. Slow cases (a TensorFlow.js cpu step on 32M
 * parameters takes seconds) stop after one warm-up step and two repetitions once they have run
 * for four budgets.
 */
export function sample(step: () => void, budget: Budget): number[] {
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
  return times;
}

/** The best and the median of repetition times, which may come from several bursts. */
export function summarize(times: number[]): Timing {
  const sorted = [...times].sort((a, b) => a - b);
  return { best: sorted[0], median: sorted[sorted.length >> 1], reps: sorted.length };
}

/** Times `step` in one burst. */
export function measure(step: () => void, budget: Budget): Timing {
  return summarize(sample(step, budget));
}

/**
 * A budget split into `rounds` bursts. The benchmark spreads the cases held to the bandwidth
 * bound over rounds, interleaved with the reference: on a shared machine the bandwidth on offer
 * changes every few seconds (two cores here switch between about 52 and 75 GB/s), and one burst
 * per case would hold a case timed in a slow spell to a reference taken in a fast one.
 */
export function perRound(budget: Budget, rounds: number): Budget {
  return {
    warmup: Math.min(budget.warmup, 2),
    minReps: Math.max(1, Math.ceil(budget.minReps / rounds)),
    maxReps: Math.max(1, Math.ceil(budget.maxReps / rounds)),
    budgetMs: budget.budgetMs / rounds,
  };
}

/** Bytes per second, in GB/s, for `bytes` moved in `ms` milliseconds. */
export function gbPerSecond(bytes: number, ms: number): number {
  return bytes / ms / 1e6;
}
