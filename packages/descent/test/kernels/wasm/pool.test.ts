import { availableParallelism } from 'node:os';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { param } from '../../../src/core/param.js';
import { configureSimd, simdInfo, startThreads } from '../../../src/kernels/wasm/index.js';
import { DEFAULT_THREADS, DEFAULT_THRESHOLD, pool } from '../../../src/kernels/wasm/pool.js';
import { SGD } from '../../../src/optim/sgd.js';

/**
 * The thread pool on any machine: thread counts are configured, never taken from the cores
 * (several workers run on one core, taking turns), and nothing waits for a worker to happen to
 * claim a chunk: where a test must know that workers ran, the calling thread leaves them every
 * chunk (`setWorkersOnly`).
 */

const CHUNK = 1 << 16;

/** One SGD step over `n` elements (a multiple of 16) from p = 1, g = 1; the parameter after it. */
function step(n: number): Float32Array {
  const p = param(n);
  p.data.fill(1);
  p.grad.fill(1);
  new SGD([p], { lr: 0.5 }).step();
  return p.data as Float32Array;
}

afterEach(() => {
  pool.setWorkersOnly(false);
  configureSimd({ parallelThreshold: DEFAULT_THRESHOLD });
});

afterAll(() => configureSimd({ threads: DEFAULT_THREADS }));

describe('the thread pool', () => {
  it('uses every core by default, up to 8, and shares steps of 2^19 elements or more', () => {
    expect(DEFAULT_THREADS).toBe(Math.min(availableParallelism(), 8));
    expect(DEFAULT_THRESHOLD).toBe(2 ** 19);
    expect(simdInfo().threads).toBe(DEFAULT_THREADS);
  });

  it('never shares a step on one thread, however large', () => {
    configureSimd({ threads: 1 });
    const before = simdInfo();
    expect(step(DEFAULT_THRESHOLD * 2).every((x) => x === 0.5)).toBe(true);
    expect(simdInfo().parallelSteps).toBe(before.parallelSteps);
    expect(simdInfo().workers).toBe(0);
  });

  it('starts the workers asked for, on any number of cores, and stops those no longer wanted', async () => {
    configureSimd({ threads: 4 });
    expect(await startThreads()).toBe(3);
    expect(simdInfo().workers).toBe(3);
    configureSimd({ threads: 2 });
    expect(simdInfo().workers).toBe(1);
    expect(await startThreads()).toBe(1);
    configureSimd({ threads: 1 });
    expect(simdInfo().workers).toBe(0);
    expect(await startThreads()).toBe(0);
  });

  it('shares steps from the threshold up, and not below it', async () => {
    configureSimd({ threads: 2, parallelThreshold: 4 * CHUNK });
    await startThreads();
    const before = simdInfo().parallelSteps;
    step(4 * CHUNK - 16);
    expect(simdInfo().parallelSteps).toBe(before);
    step(4 * CHUNK);
    expect(simdInfo().parallelSteps).toBe(before + 1);
  });

  it('leaves every chunk to the workers when asked, once one has started', async () => {
    // Workers started here have not said so yet: only the event loop hears them.
    configureSimd({ threads: 1 });
    configureSimd({ threads: 3, parallelThreshold: 0 });
    pool.setWorkersOnly(true);
    const n = 5 * CHUNK + 32;
    let before = simdInfo();
    expect(step(n).every((x) => x === 0.5)).toBe(true);
    expect(simdInfo().workers).toBe(2);
    expect(simdInfo().parallelSteps).toBe(before.parallelSteps);

    expect(await startThreads()).toBe(2);
    before = simdInfo();
    const p = step(n);
    const after = simdInfo();
    expect(after.parallelSteps - before.parallelSteps).toBe(1);
    expect(after.chunksStolen - before.chunksStolen).toBe(6);
    expect(p.every((x) => x === 0.5)).toBe(true);
  });

  it('still lets the calling thread claim chunks by default: every chunk runs once', async () => {
    configureSimd({ threads: 2, parallelThreshold: 0 });
    await startThreads();
    const before = simdInfo();
    const p = step(7 * CHUNK);
    const after = simdInfo();
    expect(after.parallelSteps - before.parallelSteps).toBe(1);
    // Which thread ran which chunk is the scheduler's business; each ran exactly once.
    expect(after.chunksStolen - before.chunksStolen).toBeLessThanOrEqual(7);
    expect(p.every((x) => x === 0.5)).toBe(true);
  });
});
