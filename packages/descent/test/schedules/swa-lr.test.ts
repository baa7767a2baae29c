import { describe, expect, it } from 'vitest';
import { param } from '../../src/core/param.js';
import { AveragedParams } from '../../src/optim/averaged-params.js';
import { SGD } from '../../src/optim/sgd.js';
import { CosineAnnealingLR, type LRScheduler, SWALR } from '../../src/schedules/index.js';
import {
  build,
  expectError,
  expectExactResume,
  expectSnapshot,
  loadCases,
  makeOptimizer,
  replay,
  type SchedulerCase,
  type SchedulerSpec,
  snapshot,
} from './reference.js';

/** A case of scripts/reference/schedules_swa_lr.py; `before` steps another scheduler first. */
interface SWACase extends SchedulerCase {
  before?: SchedulerSpec & { steps: number };
}

const cases = loadCases<SWACase>('swa-lr.json');

describe('SWALR against PyTorch', () => {
  for (const c of cases.filter((c) => c.before === undefined)) {
    it(c.name, () => {
      replay(c);
    });
    it(`${c.name}: exact resume from a JSON state dict`, () => expectExactResume(c));
  }

  for (const c of cases.filter((c) => c.before !== undefined)) {
    it(c.name, () => {
      // Both attached at the start, as in PyTorch's SWA recipe; the other steps until averaging.
      const optimizer = makeOptimizer(c);
      const other = build(c.before!, optimizer);
      const swa = build(c, optimizer);
      expectSnapshot(c, snapshot(optimizer), 0);
      for (let t = 0; t < c.before!.steps + c.steps; t++) {
        optimizer.step();
        ((t < c.before!.steps ? other : swa) as LRScheduler).step();
        expectSnapshot(c, snapshot(optimizer), t + 1);
      }
      expect(swa.getLastLr()).toEqual(snapshot(optimizer).lr);
    });
  }

  it('covers both strategies, annealing over 0 steps and more', () => {
    for (const strategy of ['cos', 'linear']) {
      const of = cases.filter((c) => (c.options?.annealStrategy ?? 'cos') === strategy);
      expect(of.some((c) => c.options?.annealEpochs === 0)).toBe(true);
      expect(of.some((c) => ((c.options?.annealEpochs as number) ?? 10) > 1)).toBe(true);
    }
  });
});

const sgd = () =>
  new SGD([
    { params: [param(2)], lr: 0.1 },
    { params: [param(1)], lr: 0.02 },
  ]);

const groupsOf = (o: SGD) => structuredClone(o.paramGroups.map(({ params, ...g }) => g));

describe('SWALR', () => {
  it('anneals to swaLr over annealEpochs and holds it', () => {
    const optimizer = sgd();
    const scheduler = new SWALR(optimizer, {
      swaLr: 0.01,
      annealEpochs: 2,
      annealStrategy: 'linear',
    });
    expect(scheduler.getLastLr()).toEqual([0.1, 0.02]);
    scheduler.step();
    expect(scheduler.getLastLr()[0]).toBeCloseTo(0.055, 15);
    expect(scheduler.getLastLr()[1]).toBeCloseTo(0.015, 15);
    for (let t = 0; t < 5; t++) {
      scheduler.step();
      expect(scheduler.getLastLr()).toEqual([0.01, 0.01]);
    }
  });

  it.each([
    [{ swaLr: -0.1 }, RangeError, 'Invalid swaLr: -0.1'],
    [{ swaLr: Infinity }, RangeError, 'Invalid swaLr: Infinity (expected a finite number)'],
    [
      { swaLr: [0.1] },
      RangeError,
      'Invalid swaLr: 1 values for 2 parameter groups (expected one per group)',
    ],
    [{ swaLr: [0.1, Number.NaN] }, TypeError, 'Invalid swaLr[1]: NaN (expected a number)'],
    [{}, TypeError, 'Invalid swaLr: undefined (expected a number)'],
    [
      { swaLr: 0.1, annealEpochs: -1 },
      RangeError,
      'Invalid annealEpochs: -1 (expected an integer >= 0)',
    ],
    [
      { swaLr: 0.1, annealEpochs: 2.5 },
      RangeError,
      'Invalid annealEpochs: 2.5 (expected an integer >= 0)',
    ],
    [{ swaLr: 0.1, annealEpochs: '3' }, TypeError, 'Invalid annealEpochs: "3" (expected a number)'],
    [
      { swaLr: 0.1, annealStrategy: 'cosine' },
      RangeError,
      'Invalid annealStrategy: "cosine" (expected one of "cos", "linear")',
    ],
    [
      { swaLr: 0.1, annealEpoch: 3 },
      TypeError,
      'Unknown option annealEpoch for SWALR (did you mean annealEpochs?)',
    ],
  ])('refuses %o, leaving the groups as they were', (options, type, message) => {
    const optimizer = sgd();
    const before = groupsOf(optimizer);
    expectError(() => new SWALR(optimizer, options as never), type, message);
    expect(groupsOf(optimizer)).toEqual(before);
  });

  it('drives the rate while AveragedParams averages: the SWA recipe', () => {
    const w = param([4, -2], { dtype: 'float64' });
    const optimizer = new SGD([w], { lr: 0.2 });
    const cosine = new CosineAnnealingLR(optimizer, { TMax: 10 });
    const swa = new SWALR(optimizer, { swaLr: 0.05, annealEpochs: 2 });
    const averaged = new AveragedParams([w]);
    const seen: number[][] = [];
    for (let epoch = 0; epoch < 8; epoch++) {
      w.grad.set([2 * w.data[0] + 1, 2 * w.data[1]]);
      optimizer.step();
      if (epoch >= 4) {
        seen.push([...w.data]);
        averaged.update();
        swa.step();
      } else cosine.step();
    }
    expect(optimizer.paramGroups[0].lr).toBe(0.05);
    expect(averaged.nAveraged).toBe(4);
    const mean = [0, 1].map((i) => seen.reduce((sum, x) => sum + x[i], 0) / seen.length);
    expect(averaged.averaged[0][0]).toBeCloseTo(mean[0], 14);
    expect(averaged.averaged[0][1]).toBeCloseTo(mean[1], 14);
  });
});
