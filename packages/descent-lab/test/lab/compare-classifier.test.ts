import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FashionMnistError } from '../../src/data/fashion-mnist.js';
import {
  type ClassifierComparison,
  classifierData,
  classifierTable,
  compareClassifiers,
  writeClassifierComparison,
} from '../../src/lab/compare-classifier.js';
import { writeTinySet } from './tiny-fashion-mnist.js';

/** A digest of pixels, to compare images by: deep equality of large arrays is slow. */
const digest = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const dir = mkdtempSync(join(tmpdir(), 'descent-compare-classifier-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the data of the classifier tasks', () => {
  it('synthetic: generated from the seed, 10,000 training and 2,000 test images unless told', () => {
    const { data, about } = classifierData({ task: 'synthetic', seed: 5 });
    expect([data.train.count, data.test.count]).toEqual([10_000, 2_000]);
    expect(about).toBe(
      'synthetic images (src/data/synthetic-images.ts, seed 5), 10000 training and 2000 test images',
    );
    const small = classifierData({ task: 'synthetic', seed: 5, trainSize: 300 });
    expect(small.data.train.count).toBe(300);
    expect(digest(small.data.test.images)).toBe(
      digest(classifierData({ task: 'synthetic', seed: 5, trainSize: 300 }).data.test.images),
    );
  });

  it('fashion-mnist: the files of the directory given, the first trainSize training images', () => {
    const tiny = join(dir, 'tiny');
    mkdirSync(tiny);
    writeTinySet(tiny);
    const all = classifierData({ task: 'fashion-mnist', fashionMnist: tiny });
    expect([all.data.train.count, all.data.test.count]).toEqual([512, 128]);
    expect(all.about).toBe(`Fashion-MNIST (${tiny}), its 512 training images, its 128 test images`);
    const first = classifierData({ task: 'fashion-mnist', fashionMnist: tiny, trainSize: 100 });
    expect(first.data.train.count).toBe(100);
    expect(digest(first.data.train.images)).toBe(
      digest(all.data.train.images.subarray(0, 100 * 784)),
    );
    expect(first.about).toContain('the first 100 of its training images');
  });

  it('fashion-mnist without the data fails, naming the file; a bad trainSize is a RangeError', () => {
    const missing = () =>
      classifierData({ task: 'fashion-mnist', fashionMnist: join(dir, 'none') });
    expect(missing).toThrow(FashionMnistError);
    expect(missing).toThrow(/train-images-idx3-ubyte\(\.gz\) is missing/);
    for (const trainSize of [0, 2.5, Number.NaN]) {
      expect(() => classifierData({ task: 'synthetic', trainSize })).toThrow(
        new RangeError(`Invalid trainSize: ${trainSize} (expected an integer >= 1)`),
      );
    }
  });
});

/** Points of test accuracy between a run and the float32-state run of its optimizer. */
function pointsFromFloat32(comparison: ClassifierComparison, name: string): number {
  const run = comparison.runs.find((r) => r.name === name);
  const base = comparison.runs.find((r) => r.name === name.replace(/-[a-z0-9]+$/, '-float32'));
  if (run === undefined || base === undefined) throw new Error(`no run ${name} or its float32 run`);
  return 100 * (run.result.testAccuracy - base.result.testAccuracy);
}

describe('compareClassifiers', () => {
  it('trains the MLP per state dtype and tables each test accuracy against float32, in points', async () => {
    const started: string[] = [];
    const comparison = await compareClassifiers({
      task: 'synthetic',
      optimizers: ['adam'],
      lr: [0.001],
      stateDtypes: ['float32', 'int8'],
      epochs: 1,
      batchSize: 64,
      trainSize: 600,
      onStart: (name, total) => started.push(`${name} ${total}`),
    });
    expect(started).toEqual(['adam-float32 600', 'adam-int8 600']);
    expect(comparison.runs.map((r) => r.name)).toEqual(['adam-float32', 'adam-int8']);
    for (const { result, diverged } of comparison.runs) {
      expect(diverged).toBe(false);
      expect(result.records).toHaveLength(1);
      expect(result.testAccuracy).toBe(result.records[0].testAcc);
      // One epoch on 600 images: well above chance (10%).
      expect(result.testAccuracy).toBeGreaterThan(0.3);
      expect(result.settings).toMatchObject({ lr: 0.001, batchSize: 64, epochs: 1 });
    }
    expect(comparison.runs[1].result.settings.stateDtype).toBe('int8');
    const { head, rows } = classifierTable(comparison);
    expect(head).toContain('vs float32 state (points)');
    const column = head.indexOf('vs float32 state (points)');
    expect(rows[0][column]).toBe('—');
    const points = pointsFromFloat32(comparison, 'adam-int8');
    expect(rows[1][column]).toBe(`${points >= 0 ? '+' : '−'}${Math.abs(points).toFixed(2)}`);
    expect(rows[1][head.indexOf('test accuracy')]).toBe(
      `${(100 * comparison.runs[1].result.testAccuracy).toFixed(2)}%`,
    );

    const out = join(dir, 'report');
    const files = await writeClassifierComparison(out, comparison);
    expect(files).toEqual(['compare-test-accuracy.svg', 'compare.md', 'results.json']);
    const markdown = readFileSync(join(out, 'compare.md'), 'utf8');
    expect(markdown).toContain(
      'synthetic images (src/data/synthetic-images.ts, seed 0), 600 training',
    );
    expect(markdown).toContain(`| ${rows[1].join(' | ')} |`);
    const json = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(Object.keys(json.runs)).toEqual(['adam-float32', 'adam-int8']);
    expect(json.runs['adam-int8'].testAccuracy).toBe(comparison.runs[1].result.testAccuracy);
  });

  it('gives the same numbers for the same seed, other ones for another', async () => {
    const run = (seed: number) =>
      compareClassifiers({
        task: 'synthetic',
        optimizers: ['sgd'],
        epochs: 1,
        batchSize: 100,
        trainSize: 300,
        seed,
      });
    const [a, b, c] = [await run(1), await run(1), await run(2)];
    const numbers = (x: ClassifierComparison) =>
      x.runs.map((r) => r.result.records.map((e) => [e.trainLoss, e.testAcc, e.testLoss]));
    expect(numbers(b)).toEqual(numbers(a));
    expect(numbers(c)).not.toEqual(numbers(a));
  });

  it('checks the optimizers before it reads any data', async () => {
    const refused = compareClassifiers({
      task: 'fashion-mnist',
      fashionMnist: join(dir, 'none'),
      optimizers: ['adam'],
      stateDtypes: ['float32', 'int4'],
    });
    await expect(refused).rejects.toThrow(
      new RangeError('Invalid stateDtypes: "int4" (expected float32, bfloat16, int8)'),
    );
  });
});

/**
 * The training quality of issue 14 on the synthetic set: with the same seed, Adam and SGD with
 * momentum reach the float32 run's test accuracy within 0.5 points with bfloat16 and with int8
 * state. The MLP's two kernels (401,408 and 5,120 elements) are both above min8bitSize, so int8
 * state quantizes every weight matrix. 2,000 test images: 0.5 points is 10 of them.
 */
describe('state dtypes on the synthetic set', () => {
  it('bfloat16 and int8 state reach float32 state’s test accuracy within 0.5 points', async () => {
    const comparison = await compareClassifiers({
      task: 'synthetic',
      optimizers: ['adam', 'momentum'],
      lr: [0.001, 0.05],
      stateDtypes: ['float32', 'bfloat16', 'int8'],
      epochs: 2,
      batchSize: 128,
      trainSize: 2000,
    });
    for (const optimizer of ['adam', 'momentum']) {
      const float32 = comparison.runs.find((r) => r.name === `${optimizer}-float32`)!.result;
      // Short of 100% and far above chance: there is room for a worse optimizer to show.
      expect(float32.testAccuracy).toBeGreaterThan(0.6);
      expect(float32.testAccuracy).toBeLessThan(0.97);
      for (const dtype of ['bfloat16', 'int8']) {
        const name = `${optimizer}-${dtype}`;
        const run = comparison.runs.find((r) => r.name === name)!.result;
        // Another storage of the state, so not the same run to the last bit...
        expect(run.testLoss, name).not.toBe(float32.testLoss);
        // ...but the same accuracy, within half a point.
        expect(Math.abs(pointsFromFloat32(comparison, name)), name).toBeLessThanOrEqual(0.5);
      }
    }
  }, 180_000);
});
