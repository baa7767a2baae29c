import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cosineScheduler, Optimizer, SGD } from 'descent';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadFashionMnist } from '../../src/data/fashion-mnist.js';
import {
  scheduleTrainingFigures,
  scheduleTrainingRuns,
} from '../../src/lab/experiments/schedule-train.js';
import { trainLeNet } from '../../src/lab/lenet.js';
import { createRandom } from '../../src/lab/random.js';
import type { Result, RunContext, SeriesResult } from '../../src/lab/types.js';
import { writeTinySet } from './tiny-fashion-mnist.js';

const dir = mkdtempSync(join(tmpdir(), 'fashion-tiny-'));
writeTinySet(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function context(overrides: Partial<RunContext> = {}): RunContext {
  return {
    seed: 0,
    random: createRandom(0, 'test'),
    quick: false,
    airfoil: () => {
      throw new Error('not used');
    },
    progress: () => {},
    fashionMnist: dir,
    epochs: 3,
    ...overrides,
  };
}

const experiment = (name: string) => {
  const found = scheduleTrainingRuns.find((e) => e.id === `schedule-train-${name}`);
  if (found === undefined) throw new Error(`no experiment schedule-train-${name}`);
  return found;
};

describe('LeNet on Fashion-MNIST', () => {
  it('learns two classes of a tiny set within three epochs', async () => {
    const reported: number[] = [];
    const records = await trainLeNet(loadFashionMnist(dir), {
      schedule: () => 0.3,
      epochs: 3,
      batchSize: 64,
      random: createRandom(0, 'learn'),
      onEpoch: ({ epoch, records }) => reported.push(epoch - 1, records[epoch - 1].testAcc),
    });
    expect(records).toHaveLength(3);
    expect(reported).toEqual(records.flatMap((r, epoch) => [epoch, r.testAcc]));
    expect(records[2].trainLoss).toBeLessThan(records[0].trainLoss);
    expect(records[2].testAcc).toBeGreaterThan(0.95);
  });

  it('gives the same numbers for the same seed', async () => {
    const run = () =>
      trainLeNet(loadFashionMnist(dir), {
        schedule: () => 0.1,
        epochs: 1,
        random: createRandom(3, 'again'),
      });
    const [a, b] = [await run(), await run()];
    expect(b.map((r) => [r.trainLoss, r.trainAcc, r.testAcc])).toEqual(
      a.map((r) => [r.trainLoss, r.trainAcc, r.testAcc]),
    );
  });

  it('refuses images that are not 28 × 28', async () => {
    const data = loadFashionMnist(dir);
    const small = { ...data, train: { ...data.train, rows: 14, cols: 56 } };
    const options = { schedule: () => 0.1, epochs: 1, random: createRandom(0) };
    const refused = trainLeNet(small, options);
    await expect(refused).rejects.toBeInstanceOf(RangeError);
    await expect(refused).rejects.toThrow(`LeNet takes 28 × 28 images; ${dir} has 14 × 56`);
  });
});

describe('the schedule-train experiments', () => {
  it('are the six runs of section 12.11', () => {
    expect(scheduleTrainingRuns.map((e) => e.id)).toEqual(
      ['constant', 'square-root', 'factor', 'multi-factor', 'cosine', 'cosine-warmup'].map(
        (name) => `schedule-train-${name}`,
      ),
    );
  });

  it('record loss and accuracies per epoch, at the rate of the schedule', async () => {
    let progress = 0;
    // Every optimizer step, to see which optimizer the run trains with (the tfjs adapter's
    // probe of the class, on an empty parameter, aside).
    const steps: { optimizer: Optimizer<object>; lr: unknown }[] = [];
    const original = Optimizer.prototype.step;
    const spy = vi.spyOn(Optimizer.prototype, 'step').mockImplementation(function (
      this: Optimizer<object>,
      ...args: Parameters<typeof original>
    ) {
      const size = this.paramGroups.flatMap((g) => g.params).reduce((n, p) => n + p.data.length, 0);
      if (size > 0) steps.push({ optimizer: this, lr: this.paramGroups[0].lr });
      return original.apply(this, args);
    });
    let result: SeriesResult;
    try {
      result = (await experiment('cosine-warmup').run(
        context({ progress: (done, total) => (progress = done / total) }),
      )) as SeriesResult;
    } finally {
      spy.mockRestore();
    }
    // chapter12.md: SGD, batch 256 (two steps an epoch of the 512 images), at the base rate 0.3
    // warmed up linearly from 0 over 5 epochs: 0, 0.06, 0.12 in epochs 0, 1, 2.
    const optimizers = [...new Set(steps.map((s) => s.optimizer))];
    expect(optimizers).toHaveLength(1);
    expect(optimizers[0]).toBeInstanceOf(SGD);
    expect(optimizers[0].constructor).toBe(SGD);
    expect(optimizers[0].paramGroups).toHaveLength(1);
    expect(optimizers[0].paramGroups[0]).toMatchObject({
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
    });
    const warmup = [0, 1, 2].map((t) => (0.3 * t) / 5);
    const lrs = steps.map((s) => s.lr as number);
    expect(lrs).toHaveLength(6);
    lrs.forEach((lr, k) => {
      expect(Math.abs(lr - warmup[Math.floor(k / 2)]), `step ${k + 1}`).toBeLessThanOrEqual(1e-16);
    });
    expect(result.kind).toBe('series');
    expect(result.series.map((s) => s.name)).toEqual([
      'train loss',
      'train acc',
      'test acc',
      'learning rate',
    ]);
    for (const s of result.series) expect(s.x).toEqual([1, 2, 3]);
    const schedule = cosineScheduler({ maxUpdate: 20, baseLr: 0.3, finalLr: 0.01, warmupSteps: 5 });
    expect(result.series[3].y).toEqual([0, 1, 2].map(schedule));
    for (const acc of [...result.series[1].y, ...result.series[2].y]) {
      expect(acc).toBeGreaterThanOrEqual(0);
      expect(acc).toBeLessThanOrEqual(1);
    }
    expect(result.values?.epochs).toBe(3);
    expect(result.values?.['test accuracy']).toBe(result.series[2].y[2]);
    expect(progress).toBe(1);
    const figures = experiment('cosine-warmup').figures?.(result) ?? [];
    expect(figures).toHaveLength(1);
    const all = new Map<string, Result>([['schedule-train-cosine-warmup', result]]);
    expect(scheduleTrainingFigures(all).map((f) => f.id)).toEqual(['schedule-train-test-accuracy']);
  });

  it('say how to get the data when a file is missing, naming it', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'fashion-empty-'));
    const result = await experiment('constant').run(context({ fashionMnist: empty }));
    rmSync(empty, { recursive: true });
    expect(result.kind).toBe('not-run');
    expect((result as { reason: string }).reason).toMatch(
      /train-images-idx3-ubyte\(\.gz\) is missing: install it with `apt-get install dataset-fashion-mnist`, or .*--fashion-mnist DIR/,
    );
  });

  it('train only when given a number of epochs, and say how otherwise', async () => {
    const result = await experiment('cosine').run(context({ epochs: undefined }));
    expect(result).toEqual({
      kind: 'not-run',
      reason: expect.stringMatching(/descent lab --epochs 30.*--only schedule-train-cosine/),
    });
  });

  it('are skipped in quick runs, which are for tests', async () => {
    const result = await experiment('factor').run(context({ quick: true }));
    expect(result).toEqual({
      kind: 'not-run',
      reason: expect.stringMatching(/skipped by --quick/),
    });
  });

  it('draw no test-accuracy figure when nothing trained', () => {
    const notRun: Result = { kind: 'not-run', reason: 'no data' };
    expect(scheduleTrainingFigures(new Map([['schedule-train-constant', notRun]]))).toEqual([]);
  });
});
