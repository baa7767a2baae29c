import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureSimd, simdInfo, startThreads } from '../../../src/kernels/wasm/index.js';
import { DEFAULT_THREADS, DEFAULT_THRESHOLD, pool } from '../../../src/kernels/wasm/pool.js';
import { loadCases, type ReferenceCase, replay } from '../../optim/reference.js';
import { numbering, passesOf } from './cases.js';

/**
 * Every PyTorch fixture of an elementwise optimizer, replayed three ways: arrays in the arena
 * (WebAssembly SIMD), ordinary arrays (the TypeScript kernels), and in the arena with every step
 * handed to the thread pool and run by a worker. The tensor updates counted show which kernels
 * ran, and the chunks counted which threads.
 */
const fixtures = [
  'sgd.json',
  'adam.json',
  'adamw.json',
  'adagrad.json',
  'rmsprop.json',
  'adadelta.json',
  'adamax.json',
  'nadam.json',
  'radam.json',
  'yogi.json',
  'rprop.json',
  'asgd.json',
  'lion.json',
  'schedule-free-sgd.json',
  'schedule-free-adamw.json',
  'lamb.json',
];

/** Schedule-Free's moves to eval and back around a step whose averaged point is checked. */
const moves = (step: ReferenceCase['steps'][number]) => (step.evalParams === undefined ? 0 : 2);

/** Rows: one per gradient and pass, and one per parameter and move. */
const updates = (c: ReferenceCase) =>
  c.steps.reduce(
    (sum, step) =>
      sum +
      step.grads.length * passesOf(c.optimizer).length +
      moves(step) * c.groups.reduce((n, g) => n + g.params.length, 0),
    0,
  );

/** Calls into WebAssembly: one per group and pass, and one per group and move. */
const calls = (c: ReferenceCase) =>
  c.steps.reduce(
    (sum, step) => sum + c.groups.length * (passesOf(c.optimizer).length + moves(step)),
    0,
  );

// Two threads whatever the machine (the default is one per core): one worker, which runs every
// chunk of the pool's steps (its calling thread claims none, so the worker's results are checked
// however the threads are scheduled).
beforeAll(() => configureSimd({ threads: 2 }));

afterAll(() => {
  pool.setWorkersOnly(false);
  configureSimd({ arena: true, threads: DEFAULT_THREADS, parallelThreshold: DEFAULT_THRESHOLD });
});

/** Chunks of 64Ki elements of the table's numbering in every call (cases.ts, numbering). */
const chunks = (c: ReferenceCase) =>
  c.steps.reduce(
    (sum, step) =>
      sum +
      c.groups.reduce((n, g) => {
        const lengths = g.params.map((p) => p.length);
        const call = (sums: boolean) => Math.ceil(numbering(lengths, sums) / 2 ** 16);
        const passes = passesOf(c.optimizer).reduce((k, sums) => k + call(sums), 0);
        return n + passes + moves(step) * call(false);
      }, 0),
    0,
  );

describe.each(fixtures)('%s', (fixture) => {
  const cases = loadCases(fixture);

  it.each(cases.map((c) => [c.name, c] as const))('%s, in the arena (SIMD)', (_, c) => {
    configureSimd({ arena: true });
    const rows = simdInfo().rows;
    replay(c);
    expect(simdInfo().rows - rows).toBe(updates(c));
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s, in ordinary arrays (TypeScript)', (_, c) => {
    configureSimd({ arena: false });
    const rows = simdInfo().rows;
    replay(c);
    expect(simdInfo().rows).toBe(rows);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s, by a worker thread', async (_, c) => {
    expect(await startThreads()).toBe(1);
    configureSimd({ arena: true, parallelThreshold: 0 });
    pool.setWorkersOnly(true);
    const before = simdInfo();
    try {
      replay(c);
    } finally {
      pool.setWorkersOnly(false);
      configureSimd({ parallelThreshold: DEFAULT_THRESHOLD });
    }
    const after = simdInfo();
    expect(after.parallelSteps - before.parallelSteps).toBe(calls(c));
    expect(after.chunksStolen - before.chunksStolen).toBe(chunks(c));
  });
});
