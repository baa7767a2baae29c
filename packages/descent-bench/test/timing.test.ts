import { describe, expect, it } from 'vitest';
import { FULL, perRound, summarize } from '../src/timing.js';

describe('timing over rounds', () => {
  it('summarizes repetitions gathered in several bursts as one set', () => {
    const t = summarize([5, 3, 9, 4, 7]);
    expect(t).toEqual({ best: 3, median: 5, reps: 5 });
    // The caller's array is left in its order.
    const times = [2, 1];
    summarize(times);
    expect(times).toEqual([2, 1]);
  });

  it('splits a budget into rounds that together spend about the same', () => {
    const round = perRound(FULL, 4);
    expect(round.budgetMs * 4).toBe(FULL.budgetMs);
    expect(round.minReps * 4).toBeGreaterThanOrEqual(FULL.minReps);
    expect(round.maxReps * 4).toBeGreaterThanOrEqual(FULL.maxReps);
    expect(round.warmup).toBeGreaterThanOrEqual(1);
    expect(perRound(FULL, 1).budgetMs).toBe(FULL.budgetMs);
  });
});
