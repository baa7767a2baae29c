import { afterAll, describe, expect, it } from 'vitest';
import { configureSimd, simdInfo, startThreads } from '../../../src/kernels/wasm/index.js';
import { loadCases, type ReferenceCase, replay } from '../../optim/reference.js';

/**
 * Every PyTorch fixture of an elementwise optimizer, replayed three ways: arrays in the arena
 * (WebAssembly SIMD), ordinary arrays (the TypeScript kernels), and in the arena with every step
 * handed to the thread pool. The tensor updates counted show which kernels ran.
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
];

const updates = (c: ReferenceCase) => c.steps.reduce((sum, step) => sum + step.grads.length, 0);

afterAll(() => configureSimd({ arena: true, parallelThreshold: 2 ** 19 }));

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

  it.each(cases.map((c) => [c.name, c] as const))('%s, through the thread pool', async (_, c) => {
    await startThreads();
    configureSimd({ arena: true, parallelThreshold: 0 });
    const parallel = simdInfo().parallelSteps;
    replay(c);
    expect(simdInfo().parallelSteps - parallel).toBe(c.steps.length * c.groups.length);
  });
});
