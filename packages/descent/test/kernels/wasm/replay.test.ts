import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureSimd, simdInfo, startThreads } from '../../../src/kernels/wasm/index.js';
import { DEFAULT_THREADS, DEFAULT_THRESHOLD, pool } from '../../../src/kernels/wasm/pool.js';
import { loadCases, type ReferenceCase, replay } from '../../optim/reference.js';
import { adafactorCalls, numbering, passesOf } from './cases.js';

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
  'prodigy.json',
  'adafactor.json',
];

type Step = ReferenceCase['steps'][number];

/**
 * The calls into WebAssembly of a fixture's step, each as the lengths of the tensors it steps:
 * one per group and pass (cases.ts, passesOf; Adafactor's from its tensors' shapes,
 * adafactorCalls), and Schedule-Free's moves to eval and back around a step whose averaged point
 * is checked. Prodigy shares its d between groups, so each of its
 * passes is one call over every group: the first leaves out groups whose lr is 0, and the second
 * runs only when d's estimate had something to measure, which the group state's step count k
 * records.
 */
function callsOf(c: ReferenceCase, t: number): { lengths: number[]; sums: boolean | boolean[] }[] {
  const step: Step = c.steps[t];
  const lengths = (g: ReferenceCase['groups'][number]) => g.params.map((p) => p.length);
  if (c.optimizer === 'Adafactor') {
    // A tensor without a shape is a vector, as long as its values.
    return c.groups.flatMap((g) =>
      adafactorCalls(g.params.map((values, i) => g.shapes?.[i] ?? [values.length])),
    );
  }
  if (c.optimizer === 'Prodigy') {
    const k = (s: Step | undefined) => s?.groupState?.k[0] ?? 0;
    const active = c.groups.filter((g) => (g.options.lr ?? c.defaults?.lr ?? 1) !== 0);
    const calls = [{ lengths: active.flatMap(lengths), sums: true }];
    if (k(step) > k(c.steps[t - 1]))
      calls.push({ lengths: c.groups.flatMap(lengths), sums: false });
    return calls.filter((call) => call.lengths.length > 0);
  }
  const moves = step.evalParams === undefined ? 0 : 2;
  return c.groups.flatMap((g) => [
    ...passesOf(c.optimizer).map((sums) => ({ lengths: lengths(g), sums })),
    ...Array.from({ length: moves }, () => ({ lengths: lengths(g), sums: false })),
  ]);
}

const allCalls = (c: ReferenceCase) => c.steps.flatMap((_, t) => callsOf(c, t));

/** Rows: one per tensor of every call. */
const updates = (c: ReferenceCase) => allCalls(c).reduce((n, call) => n + call.lengths.length, 0);

/** Chunks of 64Ki elements of the table's numbering in every call (cases.ts, numbering). */
const chunks = (c: ReferenceCase) =>
  allCalls(c).reduce((n, call) => n + Math.ceil(numbering(call.lengths, call.sums) / 2 ** 16), 0);

// Two threads whatever the machine (the default is one per core): one worker, which runs every
// chunk of the pool's steps (its calling thread claims none, so the worker's results are checked
// however the threads are scheduled).
beforeAll(() => configureSimd({ threads: 2 }));

afterAll(() => {
  pool.setWorkersOnly(false);
  configureSimd({ arena: true, threads: DEFAULT_THREADS, parallelThreshold: DEFAULT_THRESHOLD });
});

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
    expect(after.parallelSteps - before.parallelSteps).toBe(allCalls(c).length);
    expect(after.chunksStolen - before.chunksStolen).toBe(chunks(c));
  });
});
